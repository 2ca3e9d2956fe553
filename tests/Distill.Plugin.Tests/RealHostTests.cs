using Distill.Plugin.Core;
using Distill.Runtime.Audio;
using Distill.Runtime.Engine;
using Distill.Tests.Cli;
using Distill.Tests.Midi;
using Xunit.Abstractions;

namespace Distill.Tests.Plugin;

/// <summary>The built plugins in the real hosts this machine has: Qtractor 0.9 (CLAP) and Ardour 7 (VST3).</summary>
public class RealHostTests(ITestOutputHelper output)
{
    [Fact]
    public void QtractorLoadsTheClapPluginAsAStereoInstrumentWithOneMidiInput()
    {
        var home = new IsolatedHome();
        var fields = RealHosts.QtractorScan(PluginBinaries.ClapPath, home);
        output.WriteLine(string.Join('|', fields));
        Assert.Equal("Distill", fields[1]);
        Assert.Equal("0:2", fields[2]);
        Assert.Equal("1:0", fields[3]);
        Assert.Equal($"{InstrumentParameters.All.Length}:0", fields[4]);
    }

    [Fact]
    public void ArdourScannerFindsTheVst3()
    {
        var home = new IsolatedHome();
        string cache = RealHosts.ArdourScan(PluginBinaries.Vst3Bundle, home);
        output.WriteLine(cache);
        Assert.Contains($"uid=\"{PluginDescriptor.Vst3ClassId.ToString("N").ToUpperInvariant()}\"", cache);
        Assert.Contains("category=\"Instrument|Synth\"", cache);
        Assert.Contains("n_outputs=\"2\"", cache);
        Assert.Contains("n_midi_inputs=\"1\"", cache);
        Assert.Contains("n_inputs=\"0\"", cache);
    }

    /// <summary>
    /// Ardour 7 headless exports a session (three overlapping notes, temperature automated 0.6 → 1.5 at 4 s, 48 kHz,
    /// float WAV) while it freewheels: the bounce must equal <c>distill render</c> of the same notes, automation and seed.
    /// Ardour tells the plugin kOffline on every process call of an export, so the plugin waits for generation.
    /// </summary>
    [Fact]
    public void ArdourExportEqualsDistillRender()
    {
        const int rate = 48000, seconds = 8;
        var notes = new (int Key, int Velocity, double Start, double Length)[] { (60, 100, 0, 6), (64, 90, 1, 5), (67, 110, 2, 5.5) };
        var temperature = InstrumentParameters.Get(ParameterId.Temperature);
        var automation = new (double Time, double Value)[] { (0, 0.6), (4, 1.5) };
        var home = new IsolatedHome();
        string folder = ExternalTools.TempDir("ardour-vs-render");
        string score = WriteScore(folder, notes, automation.Select(a => ((int)ParameterId.Temperature, a.Time, temperature.ToNormalized(a.Value))));

        string bounce = ArdourSession(home, score, "export", seconds).Wav;
        string midi = Path.Combine(folder, "score.mid"), csv = Path.Combine(folder, "automation.csv"), render = Path.Combine(folder, "render.wav");
        File.WriteAllBytes(midi, ScoreMidi(notes));
        File.WriteAllLines(csv, ["time,parameter,value", .. automation.Select(a => FormattableString.Invariant($"{a.Time},temperature,{a.Value}"))]);
        var r = DistillProcess.Run(["render", TestWorld.BundlePath, "--midi", midi, "--automation", csv, "--seconds", seconds.ToString(), "-o", render]);
        Assert.True(r.ExitCode == 0, r.Output);

        var host = WavReader.Read(bounce);
        var offline = WavReader.Read(render);
        Assert.Equal(rate, host.SampleRate);
        var comparison = BounceComparison.Of(host.ToMono(), offline.ToMono(), rate);
        output.WriteLine($"Ardour export vs distill render: {comparison}");
        Assert.Equal(0, comparison.DropoutFrames);
        Assert.True(comparison.WorstFrameDb <= 1, $"a 50 ms frame differs by {comparison.WorstFrameDb:0.00} dB");
        // The render is 24-bit: equal means within one step of it, until the automation may act.
        Assert.True(comparison.FirstDifferingSample is null || comparison.FirstDifferingSample >= 4 * rate,
                    $"first differing sample {comparison.FirstDifferingSample}, before the automation change at {4 * rate}");
    }

    /// <summary>Ardour 7 rolling in real time (Dummy backend) for 22 s with four overlapping notes: the plugin logs its
    /// underrun count when Ardour deactivates it, and it must be 0.</summary>
    [Fact]
    public void ArdourRealTimePlaybackHasNoUnderruns()
    {
        const int seconds = 22;
        var notes = new (int Key, int Velocity, double Start, double Length)[] { (48, 100, 0, 20), (55, 100, 2, 18), (60, 100, 4, 16), (64, 100, 6, 14) };
        var temperature = InstrumentParameters.Get(ParameterId.Temperature);
        var home = new IsolatedHome();
        string score = WriteScore(ExternalTools.TempDir("ardour-roll"), notes,
            [((int)ParameterId.Temperature, 0, temperature.ToNormalized(0.6)), ((int)ParameterId.Temperature, 10, temperature.ToNormalized(1.5))]);
        string log = ArdourSession(home, score, "roll", seconds).Log;
        output.WriteLine(log);
        var line = log.Split('\n').Last(l => l.Contains("deactivated at 48000 Hz", StringComparison.Ordinal));
        var m = System.Text.RegularExpressions.Regex.Match(line, @"(\d+) underrun blocks in ([\d.]+) s of audio and (\d+) notes");
        Assert.True(m.Success, line);
        Assert.Equal(4, int.Parse(m.Groups[3].Value));
        Assert.True(double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) >= 20, line);
        Assert.Equal(0, int.Parse(m.Groups[1].Value));
    }

    static string WriteScore(string folder, IEnumerable<(int Key, int Velocity, double Start, double Length)> notes,
                             IEnumerable<(int Param, double Time, double Fraction)> automation)
    {
        string path = Path.Combine(folder, "score.txt");
        File.WriteAllLines(path, notes.Select(n => FormattableString.Invariant($"note {n.Key} {n.Velocity} {n.Start} {n.Length}"))
            .Concat(automation.Select(a => FormattableString.Invariant($"auto {a.Param} {a.Time} {a.Fraction:R}"))));
        return path;
    }

    /// <summary>The same notes as a MIDI file: 960 ticks per second (480 per quarter at 120 bpm).</summary>
    static byte[] ScoreMidi(IEnumerable<(int Key, int Velocity, double Start, double Length)> notes)
    {
        var events = notes.SelectMany(n => new[] { ((long)Math.Round(n.Start * 960), SmfWriter.On(0, n.Key, n.Velocity)),
                                                   ((long)Math.Round((n.Start + n.Length) * 960), SmfWriter.Off(0, n.Key, 0)) })
                          .OrderBy(e => e.Item1).ToList();
        long previous = 0;
        var track = new List<(long, byte[])> { (0, SmfWriter.Tempo(500_000)) };
        foreach (var (tick, message) in events) { track.Add((tick - previous, message)); previous = tick; }
        return SmfWriter.File(0, 480, SmfWriter.Track([.. track]));
    }

    /// <summary>Runs tests/hosts/ardour-render.lua on the built VST3 with the test world; retried as hosts need.</summary>
    static (string Wav, string Log) ArdourSession(IsolatedHome home, string score, string mode, int seconds)
    {
        string worlds = PluginEnvironment.WorldsFolderWith(TestWorld.BundlePath, Directory.CreateDirectory(Path.Combine(home.Root, "worlds")).FullName);
        RealHosts.ArdourScan(PluginBinaries.Vst3Bundle, home);
        string script = Path.Combine(PluginBinaries.RepositoryRoot, "tests", "hosts", "ardour-render.lua");
        return RealHosts.Retry($"ardour7-lua {mode}", () =>
        {
            string session = Path.Combine(ExternalTools.TempDir("ardour-session"), "session");
            string export = ExternalTools.TempDir("ardour-export");
            var env = home.Environment;
            env["DISTILL_WORLDS"] = worlds;
            File.Delete(env["DISTILL_LOG"]);
            var r = RealHosts.Run(RealHosts.ArdourLua,
                [script, PluginBinaries.Folder, session, export, "48000", PluginDescriptor.Vst3ClassId.ToString("N").ToUpperInvariant(),
                 score, mode, seconds.ToString()],
                env, timeout: TimeSpan.FromMinutes(3));
            string wav = Path.Combine(export, "distill.wav");
            string log = File.Exists(env["DISTILL_LOG"]) ? File.ReadAllText(env["DISTILL_LOG"]) : "";
            bool ok = r.Output.Contains("DISTILL-DONE", StringComparison.Ordinal) && (mode != "export" || File.Exists(wav))
                      && (mode != "roll" || log.Contains("deactivated", StringComparison.Ordinal));
            return (ok, (wav, log), r.Output + log);
        });
    }
}
