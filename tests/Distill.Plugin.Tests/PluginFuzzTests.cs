using System.Text;
using Distill.Runtime.Engine;
using Xunit.Abstractions;

namespace Distill.Tests.Plugin;

/// <summary>Thousands of random event streams through both real binaries: notes with impossible keys and
/// velocities, parameters with unknown ids and NaN/infinite/huge values, MIDI noise, offsets outside the block,
/// blocks larger than promised, activation cycles at odd rates, random state bytes, text garbage. The plugin must
/// answer everything without crashing, hanging or emitting a non-finite sample.</summary>
public class PluginFuzzTests(ITestOutputHelper output)
{
    const int Steps = 2500;
    static readonly double[] Rates = [44100, 48000, 88200, 96000, 176400, 192000, 22050, 8000];

    [Theory, MemberData(nameof(PluginFormats.Both), MemberType = typeof(PluginFormats))]
    public void RandomStreamsNeverCrashHangOrProduceNonFiniteSamples(string format)
    {
        Exception? failure = null;
        int blocks = 0;
        long frames = 0;
        var worker = new Thread(() =>
        {
            try { (blocks, frames) = Run(format, seed: 20260101); }
            catch (Exception e) { failure = e; }
        }, 16 << 20);
        worker.Start();
        Assert.True(worker.Join(TimeSpan.FromMinutes(3)), $"{format}: fuzz run did not finish (hang?)");
        if (failure != null) throw new Xunit.Sdk.XunitException($"{format}: {failure}");
        output.WriteLine($"{format}: {Steps} steps, {blocks} blocks, {frames} frames");
    }

    static (int Blocks, long Frames) Run(string format, int seed)
    {
        var random = new Random(seed);
        using var plugin = PluginFormats.Create(format);
        bool active = false;
        int maxFrames = 512, blocks = 0;
        long frames = 0;
        var left = new float[8192];
        var right = new float[8192];
        for (int step = 0; step < Steps; step++)
        {
            double action = random.NextDouble();
            if (action < 0.05 || !active && action < 0.5)
            {
                plugin.Deactivate();
                maxFrames = random.Next(1, 8193);
                active = plugin.Activate(Rates[random.Next(Rates.Length)], maxFrames);
            }
            else if (action < 0.07)
            {
                plugin.Deactivate();
                active = false;
            }
            else if (action < 0.10)
            {
                var bytes = new byte[random.Next(0, 400)];
                random.NextBytes(bytes);
                if (random.Next(3) == 0 && plugin.SaveState() is { } valid) bytes = Mutate(valid, random);
                plugin.LoadState(bytes);
            }
            else if (action < 0.12)
            {
                uint id = (uint)random.Next(-2, 20);
                plugin.ValueToText(id, WildValue(random));
                plugin.TextToValue(id, RandomText(random));
            }
            else
            {
                int n = BlockSize(random);
                var events = Enumerable.Range(0, random.Next(0, 9)).Select(_ => RandomEvent(random, n)).ToArray();
                Array.Fill(left, float.NaN, 0, n);
                Array.Fill(right, float.NaN, 0, n);
                bool ok = plugin.Process(n, events, left, right);
                if (ok != active) throw new InvalidOperationException($"step {step}: process returned {ok} while {(active ? "active" : "inactive")}");
                if (!PluginRendering.AllFinite(left.AsSpan(0, n)) || !PluginRendering.AllFinite(right.AsSpan(0, n)))
                    throw new InvalidOperationException($"step {step}: non-finite output (block {n}, max {maxFrames}, active {active})");
                blocks++;
                frames += n;
            }
        }
        return (blocks, frames);
    }

    static int BlockSize(Random r) => r.NextDouble() switch
    {
        < 0.80 => r.Next(1, 65),
        < 0.95 => r.Next(65, 1025),
        _ => r.Next(1025, 8193),
    };

    static HostEvent RandomEvent(Random r, int frames)
    {
        int offset = r.Next(10) == 0 ? r.Next(-5, frames + 50) : r.Next(frames);
        return r.Next(5) switch
        {
            0 => HostEvent.NoteOn(offset, r.Next(-3, 131), r.Next(6) == 0 ? WildValue(r) : r.NextDouble()),
            1 => HostEvent.NoteOff(offset, r.Next(-3, 131)),
            2 => new HostEvent(offset, HostEventKind.NoteChoke, r.Next(-1, 128)),
            3 => HostEvent.Param(offset, (uint)r.Next(-1, 20), r.Next(3) == 0 ? WildValue(r) : ParameterValue(r)),
            _ => HostEvent.Midi(offset, (byte)r.Next(256), (byte)r.Next(256), (byte)r.Next(256)),
        };
    }

    static double ParameterValue(Random r)
    {
        var spec = InstrumentParameters.All[r.Next(InstrumentParameters.All.Length)];
        return spec.Min + r.NextDouble() * (spec.Max - spec.Min);
    }

    static double WildValue(Random r) => r.Next(7) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => 1e300,
        4 => -1e300,
        5 => double.Epsilon,
        _ => (r.NextDouble() - 0.5) * 1e6,
    };

    static string RandomText(Random r)
    {
        string[] pieces = ["", "-inf", "nan", "1e999", "50 %", "all", "on", "12 dB", "ms", "\u00e9\u4e2d", "  3.5x ", "-0", "999999999999"];
        var text = new StringBuilder();
        for (int i = r.Next(1, 4); i > 0; i--) text.Append(pieces[r.Next(pieces.Length)]);
        return text.ToString();
    }

    static byte[] Mutate(byte[] valid, Random r)
    {
        var bytes = valid.ToArray();
        for (int i = r.Next(1, 6); i > 0 && bytes.Length > 0; i--) bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
        return r.Next(2) == 0 ? bytes : bytes[..r.Next(bytes.Length + 1)];
    }
}
