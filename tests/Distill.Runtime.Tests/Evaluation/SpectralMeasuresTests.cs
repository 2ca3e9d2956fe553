using Distill.Runtime.Evaluation;
using Xunit.Abstractions;
using static Distill.Tests.Evaluation.EvaluationSignals;

namespace Distill.Tests.Evaluation;

public class SpectralMeasuresTests(ITestOutputHelper output)
{
    [Fact]
    public void IdenticalClipsAreZeroApart()
    {
        var x = Noise(1, 0.3, seed: 2);
        var c = ClipComparison.Of(x, x);
        Assert.Equal(0, c.LogMelDistanceDb);
        Assert.Equal(0, c.SpectralConvergence);
        Assert.Equal(1, c.FluxRatio);
        Assert.Equal(0, c.LagFrames);
        Assert.All(c.BandLevelErrorsDb, e => Assert.Equal(0, e, 12));
    }

    [Fact]
    public void A6Point02DbGainIsA6Point02DbDistanceInEveryBand()
    {
        var x = Noise(1, 0.3, seed: 3);
        var c = ClipComparison.Of(x, Scaled(x, 2));
        double gain = 20 * Math.Log10(2);
        Assert.Equal(gain, c.LevelErrorDb, 5);
        // The floor is relative to each clip's loudest bin, so floored bins move by the gain too.
        Assert.Equal(gain, c.LogMelDistanceDb, 3);
        Assert.All(c.BandLevelErrorsDb, e => Assert.Equal(gain, e, 3));
        // ‖|X| − 2|X|‖ = ‖|X|‖.
        Assert.Equal(1, c.SpectralConvergence, 5);
        Assert.Equal(1, c.FluxRatio, 3);
        // DC is each clip's own: the render's doubles with it, the original's stays.
        Assert.Equal(2 * c.OriginalDcOffset, c.DcOffset, 9);
        Assert.Equal(SampleMeasures.LargestDcOffset(x, Rate), c.OriginalDcOffset);
    }

    [Fact]
    public void APureDelayOf0Point2SecondsIsAlignedAway()
    {
        var x = TwoTones(3);
        var delayed = Delayed(x, (int)(0.2 * Rate));
        var a = new MelPowerSpectrogram(x);
        var b = new MelPowerSpectrogram(delayed);
        var at = SpectralMeasures.Align(a, b);
        double aligned = SpectralMeasures.LogMelDistanceDb(a, b, at);
        double unaligned = SpectralMeasures.LogMelDistanceDb(a, b, FrameAlignment.At(0, a.Frames, b.Frames));
        output.WriteLine($"lag {at.Lag} frames, distance {aligned:F3} dB aligned, {unaligned:F3} dB unaligned");
        // 0.2 s is 18.75 frames of 512 samples: one of the two whole frames around it (the first frame of each
        // clip is partly silence, so the edges alone cannot tell them apart), and what the fraction leaves.
        Assert.InRange(at.Lag, 18, 19);
        Assert.True(aligned < 0.5, $"{aligned} dB after alignment");
        Assert.True(unaligned > 10 * aligned, $"{unaligned} dB without alignment");
    }

    [Fact]
    public void AStrikeReplayedOverAFloorIsNotShifted()
    {
        // Noise struck at once and falling 80 dB in its second, as a percussion clip; its replay is the same strike
        // over steady noise 35 dB down, where a codec's decoder ends a decay. The tails differ at every lag: only
        // the strike says where the replay is. (Correlating decibels over each overlap slid it 0.45 s.)
        var noise = Noise(1, 0.5, seed: 6);
        var floor = Noise(1, 0.5 * Math.Pow(10, -35 / 20.0), seed: 7);
        var strike = new float[noise.Length];
        var replay = new float[noise.Length];
        for (int i = 0; i < strike.Length; i++)
        {
            strike[i] = (float)(noise[i] * Math.Pow(10, -80 * (i / (double)Rate) / 20));
            replay[i] = strike[i] + floor[i];
        }
        var at = SpectralMeasures.Align(new MelPowerSpectrogram(strike), new MelPowerSpectrogram(replay));
        Assert.Equal(0, at.Lag);
    }

    [Fact]
    public void SmoothingAClickTrainLowersTheFluxRatio()
    {
        // Clicks every 0.25 s on quiet noise, against the same clicks spread by a 20 ms Hann window.
        var noise = Noise(2, 0.01, seed: 4);
        var clicks = new float[noise.Length];
        for (int i = Rate / 8; i < clicks.Length; i += Rate / 4) clicks[i] = 0.9f;
        const int Width = Rate / 50;
        var hann = Enumerable.Range(0, Width).Select(n => 0.5 - 0.5 * Math.Cos(2 * Math.PI * (n + 0.5) / Width))
                             .ToArray();
        var smoothed = new float[clicks.Length];
        for (int i = 0; i < clicks.Length; i++)
            if (clicks[i] != 0)
                for (int n = 0; n < Width && i + n - Width / 2 < smoothed.Length; n++)
                    smoothed[i + n - Width / 2] += (float)(clicks[i] * hann[n] * 2 / Width);
        float[] Plus(float[] y) => noise.Zip(y, (a, b) => a + b).ToArray();
        var original = new MelPowerSpectrogram(Plus(clicks));
        var rendered = new MelPowerSpectrogram(Plus(smoothed));
        double ratio = SpectralMeasures.FluxRatio(original, rendered);
        output.WriteLine($"flux ratio {ratio:F3}");
        Assert.True(ratio < 0.7, $"{ratio}");
        Assert.True(SpectralMeasures.FluxRatio(rendered, original) > 1 / 0.7);
    }

    /// <summary>Noise whose level steps by 6 dB every 16 hops (a codec's step joins, audible as a 5.86 Hz flutter)
    /// against steady noise and against steps every 13 hops, which have no 16-hop rhythm.</summary>
    [Fact]
    public void StepPeriodicityFindsLevelStepsEvery16Hops()
    {
        const int Hop = 512;
        float[] Stepped(int period) => Noise(6, 0.1, seed: 5).Select((v, i) => i / Hop / period % 2 == 0 ? v : v * 2).ToArray();
        double steady = SpectralMeasures.StepPeriodicity(new MelPowerSpectrogram(Noise(6, 0.1, seed: 5)));
        double every16 = SpectralMeasures.StepPeriodicity(new MelPowerSpectrogram(Stepped(16)));
        double every13 = SpectralMeasures.StepPeriodicity(new MelPowerSpectrogram(Stepped(13)));
        output.WriteLine($"step periodicity: steady {steady:F2}, steps every 16 hops {every16:F2}, every 13 hops {every13:F2}");
        Assert.InRange(steady, 1, 1.1);
        Assert.True(every16 > 1.3, $"{every16}"); // the 2048-sample window spreads each step over four frames
        Assert.InRange(every13, 1, 1.15);
    }

    [Fact]
    public void PercentileInterpolatesBetweenOrderStatistics()
    {
        var values = Enumerable.Range(1, 101).Select(v => (double)v).Reverse().ToArray();
        Assert.Equal(100, SpectralMeasures.Percentile(values, 0.99), 12);
        Assert.Equal(51, SpectralMeasures.Percentile(values, 0.5), 12);
        Assert.Equal(1.5, SpectralMeasures.Percentile([1.0, 2.0], 0.5), 12);
    }
}
