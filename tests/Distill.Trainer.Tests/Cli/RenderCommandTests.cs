using Distill.Runtime.Audio;
using Distill.Runtime.Engine;
using Distill.Tests.Midi;

namespace Distill.Tests.Cli;

/// <summary><c>distill render</c> end to end, as separate processes: MIDI and automation in, the same WAV out every time.</summary>
[Collection(TorchCollection.Name)]
public class RenderCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static string Score(string folder)
    {
        // 96 ticks per quarter at 120 bpm, then 90 bpm from beat 2: a chord, a mod-wheel move, a late note.
        string path = Path.Combine(folder, "notes.mid");
        File.WriteAllBytes(path, SmfWriter.File(1, 96,
            SmfWriter.Track((0, SmfWriter.Tempo(500_000)), (192, SmfWriter.Tempo(666_667))),
            SmfWriter.Track((0, SmfWriter.On(0, 60, 100)), (0, SmfWriter.On(0, 64, 80)), (48, SmfWriter.Cc(0, 1, 90)),
                            (96, SmfWriter.Off(0, 60)), (48, SmfWriter.On(0, 67, 120)), (96, SmfWriter.Off(0, 64)), (96, SmfWriter.Off(0, 67)))));
        return path;
    }

    [Fact]
    public void SameInputsAndSeedGiveTheSameFileBitForBit()
    {
        string folder = ExternalTools.TempDir("render");
        string midi = Score(folder), automation = Path.Combine(folder, "params.csv");
        File.WriteAllText(automation, "time,parameter,value\n0,variation,1\n0.5,temperature,1.4\n1.0,depth,2\n");
        string[] Args(string wav, int seed) => ["render", TestWorld.BundlePath, "--midi", midi, "--automation", automation, "--sample-rate", "44100", "--seed", seed.ToString(), "-o", wav];
        string a = Path.Combine(folder, "a.wav"), b = Path.Combine(folder, "b.wav"), c = Path.Combine(folder, "c.wav");
        foreach (var (wav, seed) in new[] { (a, 3), (b, 3), (c, 4) })
        {
            var r = DistillProcess.Run(Args(wav, seed));
            output.WriteLine(r.Output);
            Assert.Equal(0, r.ExitCode);
        }
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(c));
        var clip = WavReader.Read(a);
        Assert.Equal(44100, clip.SampleRate);
        Assert.Equal(2, clip.Channels);
        // The last note-off is at 2 beats at 120 bpm + 2 at 90 bpm = 2.33 s; then the 0.5 s release and 0.5 s of tail.
        Assert.InRange(clip.Frames / 44100.0, 3.333, 3.334);
        Assert.True(SignalLevel.Rms(clip.ToMono()) > 1e-3);
    }

    [Fact]
    public void BadInputsGetOneClearMessage()
    {
        string folder = ExternalTools.TempDir("render-bad");
        string midi = Score(folder), notMidi = Path.Combine(folder, "x.mid"), csv = Path.Combine(folder, "p.csv");
        File.WriteAllText(notMidi, "MThd? no");
        File.WriteAllText(csv, "0,temprature,1\n");
        var cases = new (string[] Args, string Expected)[]
        {
            (["render", TestWorld.BundlePath, "--midi", notMidi, "-o", Path.Combine(folder, "o.wav")], "x.mid"),
            (["render", TestWorld.BundlePath, "--midi", midi, "--automation", csv, "-o", Path.Combine(folder, "o.wav")], "temperature"),
            (["render", Path.Combine(folder, "none.distill"), "--midi", midi, "-o", Path.Combine(folder, "o.wav")], "No world"),
            (["render", midi, "--midi", midi, "-o", Path.Combine(folder, "o.wav")], "cannot be played"),
        };
        foreach (var (args, expected) in cases)
        {
            var r = DistillProcess.Run(args);
            output.WriteLine(r.Output);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(expected, r.Output);
            Assert.DoesNotContain("   at ", r.Output); // no stack trace
        }
        Assert.False(File.Exists(Path.Combine(folder, "o.wav")));
    }

    static void AssertRefused(DistillProcess.Result r, string expected, string wav)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(expected, r.Output);
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(wav) || File.Exists(wav + ".tmp"), "a refused render left a file behind");
    }

    [Fact]
    public void NumbersThatCannotBeRenderedAreRefusedWithTheReason()
    {
        string folder = ExternalTools.TempDir("render-numbers");
        string midi = Score(folder), wav = Path.Combine(folder, "o.wav");
        string[] Args(params string[] extra) => ["render", TestWorld.BundlePath, "--midi", midi, "-o", wav, .. extra];
        foreach (var seconds in new[] { "-1", "0", "NaN", "Infinity" })
            AssertRefused(DistillProcess.Run(Args("--seconds", seconds)), "--seconds must be a positive number of seconds", wav);
        AssertRefused(DistillProcess.Run(Args("--seconds", "1e7")), "longer than a 24-bit stereo WAV can hold at 48000 Hz", wav);

        string release = Path.Combine(folder, "release.csv"), late = Path.Combine(folder, "late.csv");
        File.WriteAllText(release, "0.1,release,1e9\n");
        File.WriteAllText(late, "1e9,gain,0\n");
        AssertRefused(DistillProcess.Run(Args("--automation", release)), "line 1: release 1000000000 is outside its range", wav);
        AssertRefused(DistillProcess.Run(Args("--automation", late)), "give --seconds to render the beginning", wav);

        // The slowest tempo (16.8 s per quarter) at 1 tick per quarter, and the largest delta a file can hold: 143 years.
        string slow = Path.Combine(folder, "slow.mid");
        File.WriteAllBytes(slow, SmfWriter.File(0, 1, SmfWriter.Track((0, SmfWriter.Tempo(0xFFFFFF)), (0, SmfWriter.On(0, 60, 100)), (0x0FFFFFFF, SmfWriter.Off(0, 60)))));
        AssertRefused(DistillProcess.Run(["render", TestWorld.BundlePath, "--midi", slow, "-o", wav]), "give --seconds to render the beginning", wav);
        var part = DistillProcess.Run(["render", TestWorld.BundlePath, "--midi", slow, "--seconds", "0.5", "-o", wav]);
        Assert.Equal(0, part.ExitCode);
        Assert.Equal(24000, WavReader.Read(wav).Frames);
    }

    [Fact]
    public void RandomFlagsAndAutomationRowsEndInAWavOrOneClearMessage()
    {
        string folder = ExternalTools.TempDir("render-fuzz");
        string midi = Path.Combine(folder, "note.mid");
        File.WriteAllBytes(midi, SmfWriter.File(0, 96, SmfWriter.Track((0, SmfWriter.On(0, 60, 100)), (24, SmfWriter.Off(0, 60)))));
        var random = new Random(712);
        string[] seconds = ["0.2", "0.05", "-1", "0", "1e-9", "NaN", "Infinity", "-Infinity", "1e7", "1e308", "abc", ""];
        string[] rates = ["48000", "44100", "8000", "96000", "96001", "7999", "384001", "0", "-1", "4294967296", "x"];
        string[] times = ["0", "0.1", "-1", "1e9", "NaN", "x", "1e400", ""];
        string[] parameters = ["gain", "release", "temperature", "world", "seed", "depth", "nope", ""];
        string[] values = ["0", "0.5", "1", "-1e9", "1e9", "NaN", "Infinity", "1e400", "x", "-0"];
        int rendered = 0, refused = 0;
        // Even cases draw only plausible values (short, valid rows), odd ones anything: both kinds must end cleanly.
        string Row(bool plausible)
        {
            if (!plausible) return $"{times[random.Next(times.Length)]},{parameters[random.Next(parameters.Length)]},{values[random.Next(values.Length)]}";
            var spec = InstrumentParameters.All[random.Next(InstrumentParameters.All.Length)];
            return FormattableString.Invariant($"{random.NextDouble() * 0.2:0.###},{spec.Key},{spec.Min + random.NextDouble() * (spec.Max - spec.Min):0.###}");
        }
        for (int i = 0; i < 16; i++)
        {
            bool plausible = i % 2 == 0;
            string wav = Path.Combine(folder, $"o{i}.wav"), csv = Path.Combine(folder, $"a{i}.csv");
            File.WriteAllLines(csv, Enumerable.Range(0, random.Next(4)).Select(_ => Row(plausible)));
            var args = new List<string> { "render", TestWorld.BundlePath, "--midi", midi, "-o", wav, "--automation", csv };
            // Long renders are valid but slow: a plausible length is short.
            args.AddRange(["--seconds", plausible ? "0.2" : seconds[random.Next(seconds.Length)]]);
            if (random.Next(2) == 0) args.AddRange(["--sample-rate", plausible ? rates[random.Next(4)] : rates[random.Next(rates.Length)]]);
            if (random.Next(2) == 0) args.AddRange(["--seed", random.Next(3) == 0 ? "99999999999" : random.Next().ToString()]);
            var r = DistillProcess.Run([.. args]);
            string label = $"case {i}: {string.Join(' ', args.Skip(6))} with automation [{string.Join(" | ", File.ReadAllLines(csv))}]";
            output.WriteLine($"{label} → {r.ExitCode}");
            Assert.True(r.ExitCode is 0 or 1 or 2, $"{label}: exit {r.ExitCode}\n{r.Output}");
            Assert.DoesNotContain("   at ", r.Output);
            Assert.DoesNotContain("Unhandled exception", r.Output);
            Assert.Equal(r.ExitCode == 0, File.Exists(wav));
            Assert.False(File.Exists(wav + ".tmp"), $"{label}: left a temporary file");
            if (r.ExitCode == 0) rendered++; else refused++;
        }
        output.WriteLine($"16 random renders: {rendered} written, {refused} refused with a message, 0 unhandled");
        Assert.True(rendered >= 6 && refused >= 6, $"{rendered} rendered, {refused} refused");
    }
}
