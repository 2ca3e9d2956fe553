using System.Diagnostics;
using System.Security.Cryptography;
using Distill.Runtime.Bundle;
using Distill.Runtime.Demo;
using Distill.Trainer.Pipeline;

namespace Distill.Tests.Cli;

public class TrainCommandTests(SmallCorpusFixture data) : IClassFixture<SmallCorpusFixture>
{
    static Dictionary<string, string> Snapshot(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                 .ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void MissingFolderIsAClearErrorWithoutStackTrace()
    {
        var r = DistillProcess.Run("train", Path.Combine(data.Root, "no-such-folder"), "-o", Path.Combine(data.Root, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("does not exist", r.Output);
        Assert.DoesNotContain("   at ", r.Output);
    }

    [Fact]
    public void FolderWithoutUsableAudioFailsAndListsEveryFileWithItsReason()
    {
        string folder = Directory.CreateDirectory(Path.Combine(data.Root, "junk-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not audio");
        File.WriteAllBytes(Path.Combine(folder, "empty.wav"), Array.Empty<byte>());
        File.WriteAllText(Path.Combine(folder, "fake.wav"), "this is text, not RIFF");
        var before = Snapshot(folder);

        var r = DistillProcess.Run("train", folder, "-o", Path.Combine(data.Root, "junk-run"));

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("No usable audio", r.Output);
        foreach (var name in new[] { "notes.txt", "empty.wav", "fake.wav" }) Assert.Contains(name, r.Output);
        Assert.Equal(before, Snapshot(folder));
    }

    [Fact]
    public void RunFolderInsideTheInputFolderIsRefusedAndNothingIsWrittenThere()
    {
        string input = Path.Combine(data.Root, "inside-" + Guid.NewGuid().ToString("N")[..6]);
        DemoCorpus.Generate(input, seed: 3, secondsPerFile: 1.0);
        Directory.CreateSymbolicLink(Path.Combine(data.Root, "link-" + Path.GetFileName(input)), input);
        var before = Snapshot(input);
        foreach (string output in new[] { input, Path.Combine(input, "run"), Path.Combine(input, "new", "deeper"), Path.Combine(input, "..", Path.GetFileName(input), "run"),
                                          Path.Combine(data.Root, "link-" + Path.GetFileName(input), "run") })
        {
            var r = DistillProcess.Run("train", input, "-o", output);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("is inside the input folder", r.Output);
            Assert.DoesNotContain("   at ", r.Output);
        }
        Assert.Equal(before, Snapshot(input));
        Assert.Empty(Directory.GetDirectories(input));
    }

    [Fact]
    public void MessagesNameTheRealProblem()
    {
        string file = Path.Combine(data.Root, "sound.wav");
        File.WriteAllText(file, "x");
        var r = DistillProcess.Run("train", file, "-o", Path.Combine(data.Root, "file-run"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a file, not a folder", r.Output);
        Assert.False(Directory.Exists(Path.Combine(data.Root, "file-run")));

        // A damaged MP3: one line of reason, and none of the decoder's own notes on stderr.
        string folder = Directory.CreateDirectory(Path.Combine(data.Root, "mp3-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        File.WriteAllBytes(Path.Combine(folder, "broken.mp3"), Enumerable.Range(0, 20000).Select(i => (byte)(i * 7919 >> 3)).ToArray());
        r = DistillProcess.Run("train", folder, "-o", Path.Combine(data.Root, "mp3-run"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a valid MP3 file", r.Output);
        Assert.DoesNotContain("possibly a pipe", r.Output);
        Assert.DoesNotContain("Note:", r.Output);
    }

    /// <summary>The default batch (16) trains without libtorch's NNPACK notes: on CPUs NNPACK does not support it
    /// logged one per convolution, about a thousand lines in the demo's training output.</summary>
    [Fact]
    public void TrainingAtTheDefaultBatchPrintsNoLibtorchNotes()
    {
        var r = DistillProcess.Run("train", data.Folder, "-o", Path.Combine(data.Root, "quiet-run"), "--epochs", "1",
                                   "--prior-epochs", "1", "--threads", "1");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("16 × 64 frames", r.Output);
        Assert.DoesNotContain("NNPACK", r.Output);
    }

    [Fact]
    public void OutputPathThatCannotBeCreatedIsAClearError()
    {
        string file = Path.Combine(data.Root, "a-file");
        File.WriteAllText(file, "x");
        var r = DistillProcess.Run("train", data.Folder, "-o", Path.Combine(file, "run"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Cannot write to the output folder", r.Output);
        Assert.DoesNotContain("   at ", r.Output);
    }

    static readonly string[] SmallRun = { "--epochs", "3", "--batch-size", "2", "--threads", "1", "--prior-epochs", "2", "--seed", "7" };

    static byte[] Bytes(string run, string file) => File.ReadAllBytes(Path.Combine(run, file));

    [Fact]
    public async Task RunsAreBitIdenticalAndCtrlCThenResumeEndsWhereAnUninterruptedRunEnds()
    {
        string input = Path.Combine(data.Root, "ctrlc-corpus");
        DemoCorpus.Generate(input, seed: 2, secondsPerFile: 1.5);
        var before = Snapshot(input);

        // Same seed, same machine, same threads, separate processes → bit-identical checkpoints.
        string u1 = Path.Combine(data.Root, "u1"), u2 = Path.Combine(data.Root, "u2");
        foreach (var dir in new[] { u1, u2 })
        {
            var r = DistillProcess.Run(new[] { "train", input, "-o", dir }.Concat(SmallRun).ToArray());
            Assert.True(r.ExitCode == 0, r.Output);
            // The run ends as distill evaluate on its validation clips: the table, and the report in the run folder.
            Assert.Contains("validation clips", r.Output);
            Assert.Contains("codes dB", r.Output);
            var report = WorldEvaluation.Read(Path.Combine(dir, WorldEvaluation.FileName));
            Assert.NotEmpty(report.Clips);
            Assert.All(report.Clips, c => Assert.Equal(WorldEvaluation.Validation, c.Split));
        }
        Assert.Equal(Bytes(u1, "checkpoint.bin"), Bytes(u2, "checkpoint.bin"));
        Assert.Equal(Bytes(u1, "prior/checkpoint.bin"), Bytes(u2, "prior/checkpoint.bin"));

        string run = Path.Combine(data.Root, "ctrlc-run");

        using (var p = DistillProcess.Start(new[] { "train", input, "-o", run }.Concat(SmallRun).ToArray()))
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            string metrics = Path.Combine(run, "metrics.jsonl");
            var clock = Stopwatch.StartNew();
            while (!(File.Exists(metrics) && File.ReadAllText(metrics).Contains("\"train\"")) && clock.Elapsed < TimeSpan.FromMinutes(2))
                Thread.Sleep(20);
            Process.Start("kill", new[] { "-INT", p.Id.ToString() })!.WaitForExit();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "distill did not stop after SIGINT");
            string output = await stdout + await stderr;
            Assert.True(p.ExitCode == 130, output);
            Assert.Contains("checkpoint saved", output);
        }
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
        var (json, _) = Distill.Trainer.Torch.Checkpoint.Load(Path.Combine(run, "checkpoint.bin"));
        var header = Distill.Trainer.Pipeline.CheckpointHeader.FromJson(json);
        Assert.InRange(header.State.NextStep, 1, header.Config.TotalSteps - 1);
        Assert.False(File.Exists(Path.Combine(run, "prior", "checkpoint.bin")));

        // A new run into the same folder is refused; --resume finishes the autoencoder, then the prior
        // with the options the run started with (2 prior epochs).
        var again = DistillProcess.Run("train", input, "-o", run);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--resume", again.Output);
        var resumed = DistillProcess.Run("train", "--resume", run);
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        Assert.Contains($"Resuming", resumed.Output);
        Assert.Contains("prior epoch 2/2", resumed.Output);
        (json, _) = Distill.Trainer.Torch.Checkpoint.Load(Path.Combine(run, "checkpoint.bin"));
        header = Distill.Trainer.Pipeline.CheckpointHeader.FromJson(json);
        Assert.Equal(header.Config.TotalSteps, header.State.NextStep);
        Assert.Equal(header.Config.TotalSteps, File.ReadLines(Path.Combine(run, "metrics.jsonl")).Count(l => l.Contains("\"train\"")));
        // …and ends exactly where the uninterrupted runs ended.
        Assert.Equal(Bytes(u1, "checkpoint.bin"), Bytes(run, "checkpoint.bin"));
        Assert.Equal(Bytes(u1, "prior/checkpoint.bin"), Bytes(run, "prior/checkpoint.bin"));
        Assert.True(new FileInfo(Path.Combine(run, "example.wav")).Length > 100_000);
        Assert.True(File.Exists(Path.Combine(run, "curves.png")));

        // A run whose codes predate the clips' powers and spectra exports at gain 0 without spectrum corrections, with
        // a warning, and encodes its clips again when resumed: the same codes, and the world gets its anchors' gains
        // and corrections back.
        string world = Path.Combine(u1, "world.distill");
        var gains = WorldBundle.Open(world).Anchors.Select(a => a.GainDb).ToArray();
        Assert.Contains(gains, g => g != 0);
        var codes = TrainedRun.Open(u1).LoadCodes();
        var spectra = WorldBundle.Open(world).Anchors.Select(a => a.Spectrum!).ToArray();
        TrainedRun.SaveCodes(Path.Combine(u1, TrainedRun.CodesFile),
                             [.. codes.Select(c => c with { Power = 0, SpectrumDb = null })]);
        string unlevelled = Path.Combine(data.Root, "unlevelled.distill");
        var exported = DistillProcess.Run("export", u1, "-o", unlevelled);
        Assert.True(exported.ExitCode == 0, exported.Output);
        Assert.Contains("predates per-clip levels", exported.Output);
        Assert.All(WorldBundle.Open(unlevelled).Anchors, a => Assert.Equal(0, a.GainDb));
        Assert.All(WorldBundle.Open(unlevelled).Anchors, a => Assert.Null(a.Spectrum));
        var refreshed = DistillProcess.Run("train", "--resume", u1);
        Assert.True(refreshed.ExitCode == 0, refreshed.Output);
        Assert.Contains("predates per-clip levels", refreshed.Output);
        Assert.Equal(codes.Select(c => c.Tokens), TrainedRun.Open(u1).LoadCodes().Select(c => c.Tokens));
        Assert.Equal(gains, WorldBundle.Open(world).Anchors.Select(a => a.GainDb));
        Assert.Equal(spectra.Select(s => s.NoteDb), WorldBundle.Open(world).Anchors.Select(a => a.Spectrum!.NoteDb));

        Assert.Equal(before, Snapshot(input)); // the user's folder was only ever read
    }
}
