using Distill.Plugin.Core;
using Distill.Plugin.Vst3;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Xunit.Abstractions;

namespace Distill.Tests.Plugin;

/// <summary>What real hosts do to the built binaries, and what they must get back: the largest first block at any
/// rate, an unannounced freewheel, out-of-order lifecycle calls, release while a world loads, units, no overs.</summary>
public class HostTruthTests(ITestOutputHelper output)
{
    static string WorldsWithTestWorld() => PluginEnvironment.WorldsFolderWith(TestWorld.BundlePath, ExternalTools.TempDir("truth-worlds"));

    /// <summary>Rates across the supported range, including odd ones whose resampling ratio has no small terms and the
    /// fractional ones Steinberg's validator uses.</summary>
    public static TheoryData<string, double> FormatsAndRates()
    {
        var data = new TheoryData<string, double>();
        foreach (var format in new[] { PluginFormats.Clap, PluginFormats.Vst3 })
            foreach (double rate in new[] { 8000, 11025, 12345.678, 22050, 32000, 44100, 48000, 88200, 96000, 96001, 123456.78, 176400, 192000, 384000, 767999, 768000 })
                data.Add(format, rate);
        return data;
    }

    /// <summary>The first block after activation is as long as the host declared (here 8192 frames) and starts a note:
    /// no fault, sound from then on, and the World text mentions no error.</summary>
    [Theory, MemberData(nameof(FormatsAndRates))]
    public void TheLargestFirstBlockPlaysAtEveryRate(string format, double rate)
    {
        const int maxFrames = 8192;
        using var _ = PluginEnvironment.UseWorlds(WorldsWithTestWorld());
        using var plugin = PluginFormats.Create(format);
        plugin.SetOffline(true);
        Assert.True(plugin.Activate(rate, maxFrames), $"activation at {rate} Hz");
        var (left, right) = PluginRendering.Render(plugin, 3 * maxFrames, [HostEvent.NoteOn(0, 60, 1.0)], maxFrames);
        double rms = SignalLevel.Rms(left.AsSpan(maxFrames));
        string text = plugin.ValueToText((uint)ParameterId.World, 0) ?? "";
        output.WriteLine($"{format} {rate} Hz: RMS {rms:0.0000} after the first block; World '{text}'");
        Assert.True(PluginRendering.AllFinite(left) && PluginRendering.AllFinite(right));
        Assert.True(rms > 1e-3, "silent after the first block");
        Assert.DoesNotContain("error", text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A host that calls process as fast as it can without saying so (a freewheel) gets exactly the offline
    /// render: the plugin notices the pace and waits for generation instead of underrunning.</summary>
    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void AnUnannouncedFreewheelEqualsTheOfflineRender(string format)
    {
        const int rate = 48000, block = 256, frames = 6 * rate;
        string worlds = WorldsWithTestWorld();
        HostEvent[] score = [HostEvent.NoteOn(0, 60, 0.9), HostEvent.NoteOn(rate, 64, 0.8), HostEvent.NoteOn(2 * rate, 67, 1.0),
                             HostEvent.Param(3 * rate + 17, (uint)ParameterId.Temperature, 1.5)];
        float[] Render(bool announced)
        {
            using var _ = PluginEnvironment.UseWorlds(worlds);
            using var plugin = PluginFormats.Create(format);
            plugin.SetOffline(announced);
            Assert.True(plugin.Activate(rate, block));
            // As in a host, the world is loaded before the performance starts (empty calls move no time).
            for (var deadline = DateTime.UtcNow.AddMinutes(5); DateTime.UtcNow < deadline && (plugin.ValueToText((uint)ParameterId.World, 0) ?? "").StartsWith("loading", StringComparison.Ordinal); Thread.Sleep(10))
                plugin.Process(0, [], new float[1], new float[1]);
            return PluginRendering.Render(plugin, frames, score, block).Left;
        }
        float[] offline = Render(announced: true), freewheel = Render(announced: false);
        var comparison = BounceComparison.Of(freewheel, offline, rate);
        output.WriteLine($"{format}: unannounced freewheel vs offline: {comparison}");
        Assert.Equal(offline, freewheel);
    }

    /// <summary>Eight notes at full velocity: nothing leaves the plugin above −1 dBFS.</summary>
    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void AFullVelocityChordNeverGoesOver(string format)
    {
        using var _ = PluginEnvironment.UseWorlds(WorldsWithTestWorld());
        using var plugin = PluginFormats.Create(format);
        plugin.SetOffline(true);
        Assert.True(plugin.Activate(44100, 512));
        plugin.Process(0, [HostEvent.Param(0, (uint)ParameterId.Gain, 12)], new float[1], new float[1]);
        var chord = Enumerable.Range(0, 8).Select(i => HostEvent.NoteOn(i, 48 + 3 * i, 1.0)).ToList();
        var (left, right) = PluginRendering.Render(plugin, 3 * 44100, chord, 512);
        float peak = left.Concat(right).Max(MathF.Abs);
        output.WriteLine($"{format}: 8-note chord at +12 dB gain: peak {20 * Math.Log10(peak):0.00} dBFS");
        Assert.True(peak <= SafetyLimiter.Ceiling, $"peak {peak}");
        Assert.True(peak > 0.5f, "the chord is not loud enough to test the limiter");
    }

    /// <summary>Releasing an instance returns at once, even while its world is still loading.</summary>
    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void ReleaseWhileAWorldLoadsReturnsAtOnce(string format)
    {
        using var _ = PluginEnvironment.UseWorlds(WorldsWithTestWorld());
        var times = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var plugin = PluginFormats.Create(format);
            Assert.True(plugin.Activate(48000, 512));
            plugin.Process(512, [HostEvent.NoteOn(0, 60)], new float[512], new float[512]); // the worker starts loading
            string text = plugin.ValueToText((uint)ParameterId.World, 0) ?? "";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            plugin.Dispose();
            times.Add(clock.Elapsed.TotalMilliseconds);
            output.WriteLine($"{format}: released in {times[^1]:0.0} ms (World read '{text}')");
        }
        // The median, so one scheduling hiccup of a busy machine cannot fail it; waiting for the load would take ~1 s.
        double median = times.Order().ElementAt(times.Count / 2);
        Assert.True(median < 50, $"median release {median:0.0} ms");
    }

    [Fact]
    public void EveryVst3ParameterHasAUnit()
    {
        using var plugin = new Vst3PluginUnderTest(Vst3Module.Shared);
        for (int i = 0; i < plugin.ParameterCount; i++)
        {
            string units = plugin.Units(i);
            output.WriteLine($"{plugin.ParameterInfo(i).Name}: '{units}'");
            Assert.Equal(InstrumentParameters.UnitLabel(InstrumentParameters.All[i]), units);
            Assert.NotEmpty(units);
        }
        Assert.Equal("dB", plugin.Units((int)ParameterId.Gain));
        Assert.Equal("s", plugin.Units((int)ParameterId.Release));
        Assert.Equal("%", plugin.Units((int)ParameterId.Variation));
    }

    /// <summary>VST3 (as Steinberg's validator checks): initialize and terminate once each, setActive(true) once,
    /// setupProcessing only while inactive and only for rates the plugin plays; IProcessContextRequirements answered.</summary>
    [Fact]
    public unsafe void Vst3LifecycleCallsOutOfTurnAreRefused()
    {
        using var plugin = new Vst3PluginUnderTest(Vst3Module.Shared);
        Assert.Equal(Vst3Result.False, plugin.ComponentTable->Initialize(plugin.Component, null));
        var requirements = Vst3Module.Query(plugin.Component, Vst3Iid.ProcessContextRequirements);
        Assert.True(requirements != null, "no IProcessContextRequirements");
        Assert.Equal(0u, (*(ProcessContextRequirementsVtbl**)requirements)->GetProcessContextRequirements(requirements));
        Vst3Module.Release(requirements);
        foreach (double rate in new[] { 1234.5678, 7999.0, 768001.0, 1234567.8 })
        {
            var setup = new ProcessSetup { SymbolicSampleSize = Vst3Constants.Sample32, MaxSamplesPerBlock = 512, SampleRate = rate };
            Assert.Equal(Vst3Result.False, plugin.ProcessorTable->SetupProcessing(plugin.Processor, &setup));
        }
        Assert.Equal(Vst3Result.NotInitialized, plugin.ProcessorTable->SetProcessing(plugin.Processor, 1));
        Assert.True(plugin.Activate(48000, 512));
        Assert.Equal(Vst3Result.False, plugin.ComponentTable->SetActive(plugin.Component, 1));
        var during = new ProcessSetup { SymbolicSampleSize = Vst3Constants.Sample32, MaxSamplesPerBlock = 512, SampleRate = 44100 };
        Assert.Equal(Vst3Result.False, plugin.ProcessorTable->SetupProcessing(plugin.Processor, &during));
        plugin.Deactivate();
        Assert.Equal(Vst3Result.Ok, plugin.ComponentTable->SetActive(plugin.Component, 0)); // harmless repeat (the validator's teardown does it)
        Assert.Equal(Vst3Result.Ok, plugin.ComponentTable->Terminate(plugin.Component));
        Assert.Equal(Vst3Result.False, plugin.ComponentTable->Terminate(plugin.Component));
        Assert.Equal(Vst3Result.Ok, plugin.ComponentTable->Initialize(plugin.Component, null)); // initialize again after terminate
    }

    /// <summary>CLAP: init once, activate only when inactive and at a supported rate, start_processing only when active.</summary>
    [Fact]
    public unsafe void ClapLifecycleCallsOutOfTurnAreRefused()
    {
        using var plugin = new ClapPluginUnderTest(ClapModule.Shared);
        var p = plugin.Plugin;
        Assert.Equal(0, p->Init(p));
        Assert.Equal(0, p->StartProcessing(p));
        Assert.Equal(0, p->Activate(p, 1234.5678, 1, 512));
        Assert.Equal(0, p->Activate(p, 1234567.8, 1, 512));
        Assert.True(plugin.Activate(48000, 512));
        Assert.Equal(0, p->Activate(p, 48000, 1, 512));
        Assert.Equal(1, p->StartProcessing(p));
        plugin.Deactivate();
        Assert.Equal(0, p->StartProcessing(p));
    }
}
