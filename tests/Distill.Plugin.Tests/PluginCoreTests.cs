using Distill.Plugin.Core;
using Distill.Runtime.Engine;

namespace Distill.Tests.Plugin;

/// <summary>The format-agnostic core in process: what a host project stores and gets back.</summary>
public class PluginCoreTests
{
    static string Worlds(params string[] names)
    {
        string folder = ExternalTools.TempDir("core-worlds");
        foreach (var name in names) File.Copy(TestWorld.BundlePath, Path.Combine(folder, name + WorldCatalog.Extension));
        return folder;
    }

    static float[] Render(DistillPlugin plugin)
    {
        plugin.Mode = ProcessMode.Offline;
        Assert.True(plugin.Activate(44100, 512));
        var left = new float[2 * 44100];
        var right = new float[left.Length];
        for (int at = 0; at < left.Length; at += 512)
        {
            int n = Math.Min(512, left.Length - at);
            InstrumentEvent[] events = at switch
            {
                0 => [InstrumentEvent.NoteOn(5, 62, 0.8f), InstrumentEvent.NoteOn(300, 66, 0.6f)],
                44032 => [InstrumentEvent.NoteOff(100, 62), InstrumentEvent.NoteOff(100, 66)],
                _ => [],
            };
            plugin.Process(events, left.AsSpan(at, n), right.AsSpan(at, n));
        }
        plugin.Deactivate();
        return left;
    }

    [Fact]
    public void ARestoredProjectRendersTheSameAudio()
    {
        string folder = Worlds("first", "second");
        byte[] state;
        float[] original;
        using (var plugin = new DistillPlugin(folder))
        {
            foreach (var (id, value) in new (ParameterId, double)[]
                     {
                         (ParameterId.World, 1), (ParameterId.Temperature, 1.3), (ParameterId.Variation, 0.8), (ParameterId.Seed, 42),
                         (ParameterId.Depth, 2.5), (ParameterId.Morph, 0.3), (ParameterId.StepRate, 1.5), (ParameterId.Attack, 0.05),
                     })
                plugin.SetParameter(id, value);
            state = plugin.SaveState();
            original = Render(plugin);
        }
        Assert.True(SignalLevel.Rms(original) > 1e-3);

        // The world is stored by name: installing another world that sorts first must not change the project.
        File.Copy(TestWorld.BundlePath, Path.Combine(folder, "a-new-one" + WorldCatalog.Extension));
        using var restored = new DistillPlugin(folder);
        Assert.True(restored.LoadState(state));
        Assert.Equal(2, restored.GetParameter(ParameterId.World));
        Assert.Equal(42, restored.GetParameter(ParameterId.Seed));
        Assert.Equal(original, Render(restored));
    }

    [Fact]
    public void AProjectWhoseWorldIsMissingStaysSilentAndSaysWhich()
    {
        byte[] state;
        using (var plugin = new DistillPlugin(Worlds("gone")))
            state = plugin.SaveState();
        using var other = new DistillPlugin(Worlds("present"));
        Assert.True(other.LoadState(state));
        Assert.Equal("gone: not installed", other.FormatParameter(ParameterId.World, other.GetParameter(ParameterId.World)));
        Assert.All(Render(other), v => Assert.Equal(0f, v));
    }

    /// <summary>Load → save → load with the world missing keeps its name; once installed, the project plays it.</summary>
    [Fact]
    public void AMissingWorldKeepsItsNameThroughSaveAndLoad()
    {
        byte[] state;
        using (var plugin = new DistillPlugin(Worlds("gone")))
            state = plugin.SaveState();
        byte[] resaved;
        using (var without = new DistillPlugin(Worlds("present")))
        {
            Assert.True(without.LoadState(state));
            resaved = without.SaveState();
        }
        Assert.Contains("\"world\":\"gone\"", System.Text.Encoding.UTF8.GetString(resaved));
        using var again = new DistillPlugin(Worlds("present", "gone"));
        Assert.True(again.LoadState(resaved));
        Assert.Equal("gone", again.Worlds[(int)again.GetParameter(ParameterId.World)].Name);
    }

    /// <summary>A block that fails silences the instrument and says so in the World text and the log; the next reset
    /// (or activation) brings the sound back.</summary>
    [Fact]
    public void AFaultIsReportedAndTheNextResetRecovers()
    {
        using var plugin = new DistillPlugin(Worlds("fine"));
        plugin.Mode = ProcessMode.Offline;
        Assert.True(plugin.Activate(48000, 512));
        var left = new float[512];
        var right = new float[512];
        plugin.Process([InstrumentEvent.NoteOn(0, 60, 0.9f)], left, right);
        plugin.FaultProbe = () => throw new InvalidOperationException("injected");
        plugin.Process([], left, right);
        plugin.FaultProbe = null;
        plugin.Process([], left, right);
        Assert.All(left, v => Assert.Equal(0f, v));
        Assert.Contains("silenced by an error", plugin.WorldStatus);

        plugin.Reset();
        Assert.DoesNotContain("error", plugin.WorldStatus);
        plugin.Process([InstrumentEvent.NoteOn(0, 60, 0.9f)], left, right);
        double rms = 0;
        for (int i = 0; i < 20; i++) { plugin.Process([], left, right); rms = Math.Max(rms, SignalLevel.Rms(left)); }
        Assert.True(rms > 1e-3, "no sound after the reset");
        plugin.Deactivate(); // main thread: the fault reaches the log
        Assert.Contains("injected", File.ReadAllText(PluginLog.FilePath));
    }

    /// <summary>Release does not wait for a world that is still loading (which takes about a second).</summary>
    [Fact]
    public void ReleasingWhileAWorldLoadsReturnsAtOnce()
    {
        string worlds = Worlds("slow");
        var times = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var plugin = new DistillPlugin(worlds);
            Assert.True(plugin.Activate(48000, 512));
            plugin.Process([], new float[512], new float[512]);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            plugin.Dispose();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        double median = times.Order().ElementAt(times.Count / 2);
        Assert.True(median < 50, $"median release {median:0.0} ms");
    }
}
