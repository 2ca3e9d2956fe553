using Distill.Runtime.Audio;
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
        Assert.True(Engine.InstrumentTests.Rms(clip.ToMono()) > 1e-3);
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
}
