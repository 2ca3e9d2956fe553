using Distill.Runtime.Evaluation;
using Xunit.Abstractions;
using static Distill.Tests.Evaluation.EvaluationSignals;

namespace Distill.Tests.Evaluation;

public class GeneratedClipMeasuresTests(ITestOutputHelper output)
{
    [Fact]
    public void AClipAgainstItselfIsWithinEveryGoal()
    {
        var x = Noise(3, 0.2, seed: 20);
        var m = GeneratedClipMeasures.Of(x, x);
        output.WriteLine(m.ToString());
        Assert.Equal(1, m.WindowDistanceRatio, 12);
        Assert.Equal(0, m.RmsBeyondOriginalRangeDb);
        Assert.Equal(0, m.SilentFrames);
        Assert.Equal(0, m.ClippedSamplesDifference);
        Assert.Equal(0, m.ClickFrames);
    }

    [Fact]
    public void WindowsOverlapByHalfAndTheLastEndsAtTheEnd()
    {
        Assert.Equal([0, 50, 100], GeneratedClipMeasures.WindowStarts(200, 100));
        Assert.Equal([0, 20], GeneratedClipMeasures.WindowStarts(120, 100));
        Assert.Equal([0], GeneratedClipMeasures.WindowStarts(80, 100));
    }

    /// <summary>A 1 kHz sine has whole periods in every 1 s window and every half-second hop, so each window's level
    /// is exact: 0.5 then 0.25 peak is a 6.02 dB spread, 6.02 dB below the original's only level.</summary>
    [Fact]
    public void ALevelStepIsTheSpreadOfTheOneSecondLevels()
    {
        var original = Sine(1000, 3);
        var generated = (float[])[.. Sine(1000, 3), .. Sine(1000, 3, amplitude: 0.25)];
        var m = GeneratedClipMeasures.Of(original, generated);
        double step = 20 * Math.Log10(2);
        Assert.Equal(20 * Math.Log10(0.5 / Math.Sqrt(2)), m.MaxRmsDb, 6);
        Assert.Equal(m.MaxRmsDb - step, m.MinRmsDb, 6);
        Assert.Equal(step, m.RmsSpreadDb, 6);
        Assert.Equal(m.OriginalMaxRmsDb, m.OriginalMinRmsDb, 6);
        Assert.Equal(step, m.RmsBeyondOriginalRangeDb, 6);
    }

    /// <summary>A 200 ms gap at a 50 ms frame boundary is four silent frames; a 30 dB dip is none (silence is 40 dB
    /// below the original's median frame).</summary>
    [Fact]
    public void AGapIsCountedAsSilentFramesAndADipIsNot()
    {
        var original = Noise(3, 0.2, seed: 21);
        var gap = Noise(6, 0.2, seed: 22);
        Array.Clear(gap, Rate, Rate / 5);
        var m = GeneratedClipMeasures.Of(original, gap);
        Assert.Equal(4, m.SilentFrames);
        Assert.Equal(4 / 120.0, m.SilentFraction, 12);
        Assert.Equal(0, m.OriginalSilentFrames);
        Assert.Equal(4, m.LongestSilentRun);
        Assert.Equal(4, m.SilentHoleFrames); // an original without gaps: every silent frame is a hole

        var dip = Noise(6, 0.2, seed: 22);
        for (int i = Rate; i < Rate + Rate / 5; i++) dip[i] *= (float)Math.Pow(10, -30 / 20.0);
        Assert.Equal(0, GeneratedClipMeasures.Of(original, dip).SilentFrames);
    }

    /// <summary>An original with a gap of its own (200 ms, four frames) allows gaps up to that long: three short gaps
    /// are silent frames but no hole; a gap of 300 ms is a hole of all its six frames.</summary>
    [Fact]
    public void OnlyGapsLongerThanTheOriginalsOwnAreHoles()
    {
        var original = Noise(3, 0.2, seed: 25);
        Array.Clear(original, Rate, Rate / 5);
        int frame = Rate / 20;
        var generated = Noise(6, 0.2, seed: 26);
        foreach (int start in new[] { 20, 40, 60 }) Array.Clear(generated, start * frame, 3 * frame);
        var m = GeneratedClipMeasures.Of(original, generated);
        Assert.Equal((4, 4), (m.OriginalSilentFrames, m.OriginalLongestSilentRun));
        Assert.Equal((9, 3, 0), (m.SilentFrames, m.LongestSilentRun, m.SilentHoleFrames));

        Array.Clear(generated, 90 * frame, 6 * frame);
        m = GeneratedClipMeasures.Of(original, generated);
        Assert.Equal((15, 6, 6), (m.SilentFrames, m.LongestSilentRun, m.SilentHoleFrames));
        Assert.Equal([3, 3, 3, 6], GeneratedClipMeasures.SilentRuns(GeneratedClipMeasures.FrameLevelsDb(generated), -100));
    }

    /// <summary>Twelve dB louder for the last two seconds moves those windows' mean spectrum 12 dB in every band;
    /// steady noise stays within a fraction of a dB of its own mean.</summary>
    [Fact]
    public void ALouderStretchIsTheWorstWindow()
    {
        var original = Noise(3, 0.1, seed: 23);
        var generated = Noise(6, 0.1, seed: 24);
        for (int i = 4 * Rate; i < generated.Length; i++) generated[i] *= 4;
        var m = GeneratedClipMeasures.Of(original, generated);
        output.WriteLine($"worst {m.WorstWindowDistanceDb:F3} dB, original's own {m.OriginalWorstWindowDistanceDb:F3} dB");
        Assert.InRange(m.WorstWindowDistanceDb, 20 * Math.Log10(4) - 0.5, 20 * Math.Log10(4) + 0.5);
        Assert.InRange(m.OriginalWorstWindowDistanceDb, 0.01, 0.5);
        // A fresh stretch of the same noise: its windows scatter around the original's mean as the original's own
        // do, a little more because they were not part of it.
        var steady = GeneratedClipMeasures.Of(original, Noise(6, 0.1, seed: 24));
        output.WriteLine($"steady noise: worst {steady.WorstWindowDistanceDb:F3} dB");
        Assert.InRange(steady.WorstWindowDistanceDb, m.OriginalWorstWindowDistanceDb, 1);
    }

    [Fact]
    public void SamplesAtFullScaleAreCountedBeyondTheOriginals()
    {
        var original = Noise(2, 0.2, seed: 25);
        var generated = Noise(4, 0.2, seed: 26);
        for (int i = 0; i < 10; i++) generated[Rate + 1000 * i] = i % 2 == 0 ? 1 : -1.2f;
        original[5] = 1;
        var m = GeneratedClipMeasures.Of(original, generated);
        Assert.Equal(10, m.ClippedSamples);
        Assert.Equal(1, m.OriginalClippedSamples);
        Assert.Equal(9, m.ClippedSamplesDifference);
    }

    /// <summary>Thirty seconds of the same steady tone on quiet noise as a three-second source has no click; five
    /// impulses on it are found, each in at least one frame and at most in the four frames a 2048-sample window
    /// holds it in.</summary>
    [Fact]
    public void ImpulsesAreClicksAndASteadyTextureHasNone()
    {
        float[] Texture(double seconds, int seed) =>
            Sine(440, seconds, 0.3).Zip(Noise(seconds, 0.01, seed), (a, b) => a + b).ToArray();
        var original = new MelPowerSpectrogram(Texture(3, seed: 27));
        var steady = Texture(30, seed: 28);
        Assert.Equal(0, GeneratedClipMeasures.CountClicks(original, new MelPowerSpectrogram(steady)));
        for (int k = 0; k < 5; k++) steady[(3 + 5 * k) * Rate] = 0.9f;
        int clicks = GeneratedClipMeasures.CountClicks(original, new MelPowerSpectrogram(steady));
        output.WriteLine($"{clicks} click frames");
        Assert.InRange(clicks, 5, 20);
    }
}
