using Distill.Tests.Cli;
using Distill.Trainer;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;
using Xunit.Abstractions;

namespace Distill.Tests.Pipeline;

/// <summary>
/// Random truncations and byte flips of every file a run reads back (the autoencoder checkpoint, the prior's
/// checkpoint and best weights, the clips' codes), in copies of the test world's finished run. Each damaged file is
/// caught and named: its previous copy serves, or the message says that nothing intact is left. Nothing else escapes.
/// </summary>
[Collection(TorchCollection.Name)]
public class RunFilesFuzzTests(ITestOutputHelper output)
{
    static string RunFolder => Path.GetDirectoryName(TestWorld.BundlePath)!;

    static readonly string[] Files = [AutoencoderTrainer.CheckpointFile, TrainedRun.CodesFile, "prior/" + PriorTrainer.CheckpointFile, "prior/" + PriorTrainer.BestFile];

    static string Copy(string source, string target)
    {
        foreach (string dir in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        return target;
    }

    /// <summary>Reads <paramref name="file"/> back the way the trainer, export and generate do.</summary>
    static void ReadBack(string run, string file)
    {
        switch (file)
        {
            case AutoencoderTrainer.CheckpointFile: TrainedRun.Open(run); break;
            case TrainedRun.CodesFile: TrainedRun.Open(run).LoadCodes(); break;
            case var f when f.EndsWith(PriorTrainer.BestFile): TrainedRun.Open(run).LoadPrior(); break;
            default: Checkpoint.LoadNewestIntact(Path.Combine(run, file), PriorCheckpointHeader.FromJson, _ => { }); break;
        }
    }

    static void Damage(Random random, string path)
    {
        var bytes = File.ReadAllBytes(path);
        switch (random.Next(4))
        {
            case 0: File.WriteAllBytes(path, bytes[..random.Next(bytes.Length)]); break;
            case 1: File.WriteAllBytes(path, []); break;
            case 2:
                var garbage = new byte[random.Next(1, 4096)];
                random.NextBytes(garbage);
                File.WriteAllBytes(path, garbage);
                break;
            default:
                for (int f = 1 + random.Next(8); f > 0; f--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                // Mostly the first 64 bytes: the lengths in the header are where a flip used to cost gigabytes.
                if (random.Next(2) == 0) bytes[random.Next(Math.Min(64, bytes.Length))] ^= 0x40;
                File.WriteAllBytes(path, bytes);
                break;
        }
    }

    [Fact]
    public void EveryDamagedRunFileIsNamedAndThePreviousCopyServesOrNothingIntactIsSaid()
    {
        string source = RunFolder, scratch = ExternalTools.TempDir("run-files");
        var random = new Random(4411);
        var outcomes = new Dictionary<string, int>();
        const int cases = 48;
        for (int i = 0; i < cases; i++)
        {
            string file = Files[i % Files.Length];
            string run = Copy(source, Path.Combine(scratch, $"c{i}"));
            string path = Path.Combine(run, file);
            Damage(random, path);
            bool previousToo = random.Next(4) == 0 && File.Exists(Checkpoint.Previous(path));
            if (previousToo) Damage(random, Checkpoint.Previous(path));
            string outcome = HangGuard.Run($"case {i} ({file})", () =>
            {
                try
                {
                    ReadBack(run, file);
                    return "previous copy used";
                }
                catch (UserFacingException e)
                {
                    Assert.Contains(path, e.Message);
                    Assert.Contains("No intact copy is left", e.Message);
                    return "nothing intact: said so";
                }
            });
            Assert.False(previousToo && outcome == "previous copy used", $"case {i}: {file} and its previous copy were damaged, yet one loaded");
            Assert.True(outcome != "previous copy used" || File.Exists(Checkpoint.Previous(path)), $"case {i}: damaged {file} loaded as if intact");
            outcomes[$"{file}: {outcome}"] = outcomes.GetValueOrDefault($"{file}: {outcome}") + 1;
            Directory.Delete(run, true);
        }
        foreach (var (what, count) in outcomes.OrderBy(o => o.Key)) output.WriteLine($"{count,3} × {what}");
        output.WriteLine($"{cases} damaged run files: {outcomes.Sum(o => o.Value)} caught and named, 0 unhandled");
    }

    [Fact]
    public void ResumeAfterDamageAndAKilledExportFallsBackAndLeavesNoTemporaryFile()
    {
        string run = Copy(RunFolder, Path.Combine(ExternalTools.TempDir("run-resume"), "run"));
        string checkpoint = Path.Combine(run, AutoencoderTrainer.CheckpointFile), codes = Path.Combine(run, TrainedRun.CodesFile);
        File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..1000]);
        File.WriteAllBytes(codes, []);
        File.WriteAllText(Path.Combine(run, $".world.distill.{Guid.NewGuid():N}.tmp"), "half a world");
        File.WriteAllText(Path.Combine(run, "prior", "checkpoint.bin.tmp"), "half a checkpoint");

        var r = DistillProcess.Run("train", "--resume", run);
        output.WriteLine(r.Output);
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains($"{checkpoint} is damaged", r.Output);
        Assert.Contains("using the previous copy", r.Output);
        Assert.Contains("Encoding the clips again", r.Output);
        Assert.Empty(Directory.GetFiles(run, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(File.ReadAllBytes(Path.Combine(RunFolder, TrainedRun.CodesFile)), File.ReadAllBytes(codes)); // encoding again gives the same codes
    }
}
