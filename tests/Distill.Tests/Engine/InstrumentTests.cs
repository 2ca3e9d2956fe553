using Distill.Runtime.Engine;
using Xunit.Abstractions;

namespace Distill.Tests.Engine;

[Collection(TorchCollection.Name)]
public class InstrumentTests(ITestOutputHelper output)
{
    static Instrument NewInstrument() => new([new WorldEntry("test", TestWorld.BundlePath)]);

    static PerformanceEvent[] Chord(double seconds = 2) =>
    [
        new(0.0, PerformanceEventKind.NoteOn, 60, 0.9f),
        new(0.25, PerformanceEventKind.NoteOn, 64, 0.7f),
        new(seconds, PerformanceEventKind.NoteOff, 60),
        new(seconds, PerformanceEventKind.NoteOff, 64),
    ];

    static double Rms(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v * v;
        return Math.Sqrt(s / Math.Max(1, x.Length));
    }

    [Fact]
    public void NotesSoundAndSilenceEndsThem()
    {
        using var instrument = NewInstrument();
        var (left, _) = Performance.Render(instrument, Chord(), 48000, 4.0);
        double during = Rms(left.AsSpan(0, 96000)), after = Rms(left.AsSpan(4 * 48000 - 4800));
        output.WriteLine($"rms during {during:E3}, in the last 0.1 s {after:E3}, status '{instrument.WorldStatus}'");
        Assert.True(during > 1e-3, $"notes are silent (rms {during})");
        Assert.True(after < 1e-5, $"not silent after release (rms {after})");
        Assert.All(left, v => Assert.True(float.IsFinite(v)));
    }
}
