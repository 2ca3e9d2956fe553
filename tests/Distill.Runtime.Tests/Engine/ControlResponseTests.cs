using Distill.Runtime.Engine;
using Xunit.Abstractions;
using static Distill.Tests.ControlResponse;

namespace Distill.Tests.Engine;

/// <summary>Every control is heard within <see cref="ControlResponse.BoundSeconds"/> of its automation point, and
/// never before it, through the engine as <c>distill render</c> runs it.</summary>
public class ControlResponseTests(ITestOutputHelper output)
{
    const int Rate = 48000;

    static float[] Render(IEnumerable<PerformanceEvent> events, params WorldEntry[] extraWorlds)
    {
        using var instrument = new Instrument([new WorldEntry("test", TestWorld.BundlePath), .. extraWorlds]);
        return Performance.Render(instrument, events, Rate, Times.Max() + Tail).Left;
    }

    static PerformanceEvent Set(ParameterId id, double value, double at = 0) =>
        new(at, InstrumentEvent.ParameterValue(0, (uint)id, value));

    static readonly PerformanceEvent Note = new(0, InstrumentEvent.NoteOn(0, Key, Velocity));

    /// <summary>Seconds from <paramref name="at"/> to the first sample where <paramref name="moved"/> leaves
    /// <paramref name="held"/>; fails if they differ earlier or not at all.</summary>
    static double Response(float[] held, float[] moved, double at, string name)
    {
        int? first = FirstDifference(held, moved);
        Assert.True(first.HasValue, $"{name} at {at:F4} s changed nothing");
        long automation = (long)Math.Round(at * Rate);
        Assert.True(first >= automation, $"{name} at {at:F4} s changed sample {first}, before its automation point");
        return (first.Value - automation) / (double)Rate;
    }

    [Fact]
    public void EveryControlIsHeardWithinTheBoundAndNeverBefore()
    {
        var worst = new List<(string Name, double Seconds)>();
        foreach (var move in Moves)
        {
            PerformanceEvent[] held = [Set(ParameterId.Variation, 1), Set(move.Id, move.From), Note];
            var baseline = Render(held);
            double slowest = Times.Max(at => Response(baseline, Render([.. held, Set(move.Id, move.To, at)]), at,
                                                      move.Name));
            worst.Add((move.Name, slowest));
        }
        // The world: held notes crossfade into the new world from the sample it is adopted.
        var second = new WorldEntry("test-b", TestWorld.BundlePath);
        PerformanceEvent[] one = [Set(ParameterId.Variation, 1), Note];
        var inFirst = Render(one, second);
        worst.Add(("world", Times.Max(at => Response(inFirst, Render([.. one, Set(ParameterId.World, 1, at)], second),
                                                     at, "world"))));

        foreach (var (name, seconds) in worst) output.WriteLine($"{name,-12} {seconds * 1000,6:F1} ms");
        Assert.All(worst, w => Assert.True(w.Seconds <= BoundSeconds,
                                           $"{w.Name}: heard {w.Seconds * 1000:F1} ms after its automation point"));
    }
}
