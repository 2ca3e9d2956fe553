using Distill.Runtime.Engine;
using Xunit.Abstractions;

namespace Distill.Tests.Plugin;

/// <summary>The built CLAP and VST3 binaries, each driven through its own C ABI by the test host, on what needs
/// no world: lifecycle at every rate and block size, silence, parameters, state, latency, real-time allocation.</summary>
public class PluginHostTests(ITestOutputHelper output)
{
    static readonly int[] Rates = [44100, 48000, 96000, 192000];

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void SilentAndFiniteWithoutNotesAtEveryRateAndRandomBlockSizes(string format)
    {
        using var plugin = PluginFormats.Create(format);
        var random = new Random(11);
        foreach (int rate in Rates)
        {
            Assert.True(plugin.Activate(rate, 8192), $"activate at {rate} Hz");
            for (int block = 0; block < 24; block++)
            {
                int frames = block % 6 == 5 ? random.Next(1, 8193) : random.Next(1, 257);
                var left = new float[frames];
                var right = new float[frames];
                Array.Fill(left, 0.5f);
                Array.Fill(right, -0.5f);
                var automation = new[] { HostEvent.Param(random.Next(frames), (uint)ParameterId.Temperature, random.NextDouble() * 2) };
                Assert.True(plugin.Process(frames, automation, left, right));
                Assert.All(left, v => Assert.Equal(0f, v));
                Assert.All(right, v => Assert.Equal(0f, v));
            }
            plugin.Deactivate();
        }
    }

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void NotesAndMidiNeverProduceNaNOrInfinity(string format)
    {
        using var plugin = PluginFormats.Create(format);
        Assert.True(plugin.Activate(48000, 1024));
        var events = new List<HostEvent>
        {
            HostEvent.NoteOn(0, 60), HostEvent.Midi(100, 0x90, 64, 100), HostEvent.Param(200, (uint)ParameterId.Gain, 12),
            HostEvent.Midi(3000, 0xB0, 1, 127), HostEvent.NoteOff(9000, 60), HostEvent.Midi(9500, 0x80, 64, 0),
        };
        var (left, right) = PluginRendering.Render(plugin, 12000, events, 1024, 17, 333);
        Assert.True(PluginRendering.AllFinite(left) && PluginRendering.AllFinite(right));
    }

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void ParametersMatchTheInstrumentTable(string format)
    {
        using var plugin = PluginFormats.Create(format);
        Assert.Equal(InstrumentParameters.All.Length, plugin.ParameterCount);
        for (int i = 0; i < plugin.ParameterCount; i++)
        {
            var info = plugin.ParameterInfo(i);
            var spec = InstrumentParameters.All[i];
            Assert.Equal((uint)spec.Id, info.Id);
            Assert.Equal(spec.Name, info.Name);
            Assert.Equal(spec.Min, info.Min, 9);
            Assert.Equal(spec.Max, info.Max, 9);
            Assert.Equal(spec.Default, info.Default, 9);
            Assert.Equal(spec.Stepped, info.Stepped);
            Assert.True(info.Automatable);
            Assert.Equal(spec.Default, plugin.GetValue(info.Id), 9);
        }
    }

    /// <summary>value → text → value → text is stable, and parsing the text lands within the display's rounding.</summary>
    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void ParameterTextRoundTrips(string format)
    {
        using var plugin = PluginFormats.Create(format);
        foreach (var spec in InstrumentParameters.All)
            foreach (double fraction in new[] { 0, 0.13, 0.5, 0.77, 1 })
            {
                double plain = spec.Clamp(spec.Min + fraction * (spec.Max - spec.Min));
                string text = plugin.ValueToText((uint)spec.Id, plain) ?? throw new Xunit.Sdk.XunitException($"{spec.Key}: no text");
                double parsed = plugin.TextToValue((uint)spec.Id, text) ?? throw new Xunit.Sdk.XunitException($"{spec.Key}: '{text}' not parsed");
                Assert.Equal(text, plugin.ValueToText((uint)spec.Id, parsed));
                if (spec.Stepped) Assert.Equal(plain, parsed);
                else if (!(spec.Unit == ParameterUnit.Decibels && plain <= spec.Min))
                    Assert.True(Math.Abs(parsed - plain) <= 0.01 * (spec.Max - spec.Min), $"{spec.Key}: {plain} → '{text}' → {parsed}");
            }
        Assert.Null(plugin.TextToValue((uint)ParameterId.Temperature, "warm"));
        Assert.Null(plugin.ValueToText(999, 0));
    }

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void StateRoundTripRestoresEveryParameter(string format)
    {
        var wanted = InstrumentParameters.All.ToDictionary(p => (uint)p.Id, p => p.Clamp(p.Min + 0.37 * (p.Max - p.Min)));
        byte[] state;
        using (var a = PluginFormats.Create(format))
        {
            Assert.True(a.Activate(48000, 256));
            var automation = wanted.Select((kv, i) => HostEvent.Param(i * 3, kv.Key, kv.Value)).ToArray();
            Assert.True(a.Process(256, automation, new float[256], new float[256]));
            a.Deactivate();
            foreach (var (id, value) in wanted) Assert.Equal(value, a.GetValue(id), 9);
            state = a.SaveState() ?? throw new Xunit.Sdk.XunitException("save failed");
        }
        output.WriteLine($"{format} state: {state.Length} bytes");
        using var b = PluginFormats.Create(format);
        Assert.True(b.LoadState(state));
        foreach (var (id, value) in wanted) Assert.Equal(value, b.GetValue(id), 9);
    }

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void MalformedOrFutureStateLeavesDefaultsAndThePluginWorking(string format)
    {
        var random = new Random(5);
        var noise = new byte[300];
        random.NextBytes(noise);
        byte[][] bad =
        [
            [],
            noise,
            "{\"version\":1,\"parameters\":{\"temperature\":"u8.ToArray(),
            "{\"version\":99,\"world\":null,\"parameters\":{\"temperature\":1.7}}"u8.ToArray(),
            "{\"version\":1,\"parameters\":{\"temperature\":\"hot\"}}"u8.ToArray(),
        ];
        using var plugin = PluginFormats.Create(format);
        foreach (var bytes in bad)
        {
            Assert.True(plugin.Activate(44100, 128));
            Assert.True(plugin.Process(64, [HostEvent.Param(0, (uint)ParameterId.Temperature, 1.9)], new float[64], new float[64]));
            plugin.Deactivate();
            Assert.False(plugin.LoadState(bytes));
            foreach (var spec in InstrumentParameters.All) Assert.Equal(spec.Default, plugin.GetValue((uint)spec.Id), 9);
        }
        Assert.True(plugin.Activate(44100, 128));
        Assert.True(plugin.Process(128, [HostEvent.NoteOn(0, 60)], new float[128], new float[128]));
    }

    [Fact]
    public void BothFormatsReportTheSameLatency()
    {
        using var clap = PluginFormats.Create(PluginFormats.Clap);
        using var vst3 = PluginFormats.Create(PluginFormats.Vst3);
        Assert.True(clap.Activate(48000, 512));
        Assert.True(vst3.Activate(48000, 512));
        output.WriteLine($"latency: CLAP {clap.LatencySamples}, VST3 {vst3.LatencySamples} samples");
        Assert.Equal(clap.LatencySamples, vst3.LatencySamples);
        Assert.InRange(clap.LatencySamples, 0u, 48000u);
    }

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void ProcessOutsideActivationIsRefusedWithSilenceAndCyclesWork(string format)
    {
        using var plugin = PluginFormats.Create(format);
        var left = Enumerable.Repeat(1f, 64).ToArray();
        var right = Enumerable.Repeat(1f, 64).ToArray();
        Assert.False(plugin.Process(64, [HostEvent.NoteOn(0, 60)], left, right));
        Assert.All(left.Concat(right), v => Assert.Equal(0f, v));
        for (int cycle = 0; cycle < 6; cycle++)
        {
            Assert.True(plugin.Activate(Rates[cycle % Rates.Length], 1 << (cycle + 5)));
            Assert.True(plugin.Process(32, [HostEvent.NoteOn(cycle, 60)], left, right));
            plugin.Deactivate();
        }
        Array.Fill(left, 1f);
        Assert.False(plugin.Process(64, [], left, right));
        Assert.All(left, v => Assert.Equal(0f, v));
    }

    /// <summary>CC1 reaches the mod wheel parameter: through CLAP's MIDI dialect, and through IMidiMapping in VST3.</summary>
    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void MidiModWheelDrivesItsParameter(string format)
    {
        using var plugin = PluginFormats.Create(format);
        Assert.True(plugin.Activate(48000, 256));
        Assert.True(plugin.Process(256, [HostEvent.Midi(10, 0xB3, 1, 127)], new float[256], new float[256]));
        Assert.Equal(1.0, plugin.GetValue((uint)ParameterId.ModWheel), 9);
        Assert.True(plugin.Process(256, [HostEvent.Midi(10, 0xB0, 1, 0), HostEvent.Midi(20, 0xB0, 7, 100)], new float[256], new float[256]));
        Assert.Equal(0.0, plugin.GetValue((uint)ParameterId.ModWheel), 9);
    }

    /// <summary>VST3 hosts send parameter changes in zero-length blocks, and some hosts exceed the block size they
    /// promised: every change still arrives.</summary>
    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void ZeroLengthAndOversizedBlocksStillDeliverEveryChange(string format)
    {
        using var plugin = PluginFormats.Create(format);
        Assert.True(plugin.Activate(48000, 64));
        Assert.True(plugin.Process(0, [HostEvent.Param(0, (uint)ParameterId.Seed, 77)], [], []));
        Assert.Equal(77, plugin.GetValue((uint)ParameterId.Seed));
        var left = new float[1000];
        Assert.True(plugin.Process(1000, [HostEvent.Param(10, (uint)ParameterId.Seed, 5), HostEvent.Param(990, (uint)ParameterId.Seed, 6)], left, new float[1000]));
        Assert.Equal(6, plugin.GetValue((uint)ParameterId.Seed));
    }

    [Fact]
    public void LoadTimesAndBinarySizes()
    {
        var clap = ClapModule.Shared;
        var vst3 = Vst3Module.Shared;
        output.WriteLine($"CLAP load + init: {clap.LoadTime.TotalMilliseconds:0.0} ms (dlopen, clap_entry.init, get_factory)");
        output.WriteLine($"VST3 load + ModuleEntry + GetPluginFactory: {vst3.LoadTime.TotalMilliseconds:0.0} ms");
        output.WriteLine($"Distill.clap {new FileInfo(PluginBinaries.ClapPath).Length / 1e6:0.00} MB, Distill.so {new FileInfo(PluginBinaries.Vst3Binary).Length / 1e6:0.00} MB, "
            + $"libonnxruntime.so {new FileInfo(Path.Combine(PluginBinaries.Folder, "libonnxruntime.so")).Length / 1e6:0.0} MB");
        Assert.Equal(1u, clap.PluginCount);
    }
}
