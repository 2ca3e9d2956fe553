using Distill.Runtime.Engine;
using Distill.Runtime.Evaluation;
using Xunit.Abstractions;

namespace Distill.Tests.Engine;

/// <summary>
/// Drift and collapse on the demo world (the test world, trained on the demo corpus): a note held at variation 1 is
/// measured against the same note at variation 0 — the anchor replayed, looping, through the same codec — with the
/// generation measures of <see cref="GeneratedClipMeasures"/>. So the figures isolate what the prior adds: where it
/// wanders, how far its level strays, whether it falls silent.
/// </summary>
public class GenerationDriftTests(ITestOutputHelper output)
{
    const int Rate = 48000;
    const double Seconds = 6;

    static float[] Note(int anchor, double variation, double temperature)
    {
        using var instrument = new Instrument([new WorldEntry("test", TestWorld.BundlePath)]);
        PerformanceEvent[] events =
        [
            new(0, InstrumentEvent.ParameterValue(0, (uint)ParameterId.Variation, variation)),
            new(0, InstrumentEvent.ParameterValue(0, (uint)ParameterId.Temperature, temperature)),
            new(0, InstrumentEvent.NoteOn(0, 48 + anchor, 1f)),
        ];
        return Performance.Render(instrument, events, Rate, Seconds).Left;
    }

    [Theory]
    [InlineData(0.7)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void GenerationStaysInItsAnchorsRange(double temperature)
    {
        var notes = Enumerable.Range(0, TestWorld.Anchors).Select(a =>
        {
            var replay = Note(a, 0, temperature);
            return (Anchor: a, Measures: GeneratedClipMeasures.Of(replay, Note(a, 1, temperature)));
        }).ToArray();
        foreach (var (a, m) in notes)
            output.WriteLine($"anchor {a,2}: worst window {m.WorstWindowDistanceDb,5:F1} dB (replay's {m.OriginalWorstWindowDistanceDb,4:F1}), " +
                             $"1 s RMS {m.MinRmsDb:F1} … {m.MaxRmsDb:F1} (replay's {m.OriginalMinRmsDb:F1} … {m.OriginalMaxRmsDb:F1}), " +
                             $"beyond {m.RmsBeyondOriginalRangeDb:F1} dB, silent {m.SilentFrames} (replay's {m.OriginalSilentFrames}), clipped {m.ClippedSamples}");
        // Collapse: no note falls silent where its replay does not, and none clips.
        Assert.All(notes, n => Assert.True(n.Measures.SilentFrames <= n.Measures.OriginalSilentFrames,
                                           $"anchor {n.Anchor}: {n.Measures.SilentFrames} silent 50 ms frames"));
        Assert.All(notes, n => Assert.Equal(0, n.Measures.ClippedSamples));
        // Drift: the typical note stays near its sound in spectrum and level (the quiet, eventful anchors of this tiny
        // world stray further: the figures are printed above).
        double Median(Func<GeneratedClipMeasures, double> f) =>
            SpectralMeasures.Percentile(notes.Select(n => f(n.Measures)).ToArray(), 0.5);
        double window = Median(m => m.WorstWindowDistanceDb), level = Median(m => m.RmsBeyondOriginalRangeDb);
        output.WriteLine($"median worst 1 s window {window:F1} dB, median level beyond the replay's range {level:F1} dB");
        Assert.True(window <= MedianWorstWindowDb, $"median worst window {window:F1} dB");
        Assert.True(level <= MedianLevelBeyondDb, $"median level {level:F1} dB beyond the replay's range");
    }

    /// <summary>Bounds on the median anchor, with room over what the test world gives (6.3–7.0 dB and 2.1–2.2 dB at
    /// temperatures 0.7–1.5; without <see cref="Distill.Runtime.Dsp.LevelRangeKeeper"/> 6.8–8.0 and 3.1–3.4 dB, so the
    /// level bound is the 3 dB and fails without the keeper); before generation was anchored and drew from its
    /// anchor's codes, notes fell silent for whole seconds at 0.7. Without the guards, this machine's world gave
    /// 6.5–11.2 dB and silent holes in two anchors.</summary>
    const double MedianWorstWindowDb = 8, MedianLevelBeyondDb = 3;
}
