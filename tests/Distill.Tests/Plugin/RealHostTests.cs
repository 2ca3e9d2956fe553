using Distill.Plugin;
using Distill.Runtime.Audio;
using Distill.Runtime.Engine;
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
    /// Ardour 7 headless: a session at 48 kHz with Distill on a MIDI track, a recorded note, temperature automated
    /// from 0 (first half) to 1.5 (second half), exported to WAV at the session rate. The WAV must sound, and its
    /// spectrum must change where the automation does. Needs the engine's test world.
    /// </summary>
    [Fact]
    public void ArdourRendersASessionWhoseSpectrumFollowsTheAutomation()
    {
        const int rate = 48000, seconds = 8; // generation parameters act on codes ~1 s ahead of hearing them (the decoder's look-ahead): halves long enough to show it
        var home = new IsolatedHome();
        string worlds = PluginEnvironment.WorldsFolderWith(TestWorld.BundlePath, Directory.CreateDirectory(Path.Combine(home.Root, "worlds")).FullName);
        RealHosts.ArdourScan(PluginBinaries.Vst3Bundle, home);
        var temperature = InstrumentParameters.Get(ParameterId.Temperature);
        string script = Path.Combine(PluginBinaries.RepositoryRoot, "tests", "hosts", "ardour-render.lua");

        var wav = RealHosts.Retry("ardour7-lua render", () =>
        {
            string session = Path.Combine(ExternalTools.TempDir("ardour-session"), "session");
            string export = ExternalTools.TempDir("ardour-export");
            var env = home.Environment;
            env["DISTILL_WORLDS"] = worlds;
            var r = RealHosts.Run(RealHosts.ArdourLua,
                [script, PluginBinaries.Folder, session, export, rate.ToString(), seconds.ToString(),
                 PluginDescriptor.Vst3ClassId.ToString("N").ToUpperInvariant(), ((int)ParameterId.Temperature).ToString(),
                 temperature.ToNormalized(0).ToString("R"), temperature.ToNormalized(1.5).ToString("R")],
                env, timeout: TimeSpan.FromMinutes(2));
            string file = Path.Combine(export, "distill.wav");
            bool ok = r.Output.Contains("DISTILL-EXPORTED", StringComparison.Ordinal) && File.Exists(file);
            return (ok, file, r.Output);
        });

        var clip = WavReader.Read(wav);
        Assert.Equal(rate, clip.SampleRate);
        float[] mono = clip.ToMono();
        Assert.True(PluginRendering.AllFinite(mono));
        int half = clip.Frames / 2, guard = rate / 10;
        double first = PluginRendering.Rms(mono.AsSpan(guard, half - 2 * guard));
        double second = PluginRendering.Rms(mono.AsSpan(half + guard, half - 2 * guard));
        var before = PluginSpectrum.AverageDb(mono[guard..(half - guard)]);
        var after = PluginSpectrum.AverageDb(mono[(half + guard)..(clip.Frames - guard)]);
        double change = PluginSpectrum.DistanceDb(before, after);
        output.WriteLine($"{clip.Frames} frames at {clip.SampleRate} Hz; RMS {first:0.0000} / {second:0.0000}; spectrum change {change:0.00} dB");
        Assert.True(first > 1e-3 && second > 1e-3, "the export is silent");
        Assert.True(change > 1, $"spectrum changed by only {change:0.00} dB across the automation point");
    }
}
