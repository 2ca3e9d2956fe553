using Distill.Runtime.Evaluation;
using static Distill.Tests.Evaluation.EvaluationSignals;

namespace Distill.Tests.Evaluation;

public class SampleMeasuresTests
{
    [Fact]
    public void DoublingTheAmplitudeIsALevelErrorOf6Point02Db()
    {
        var x = Noise(1, 0.3, seed: 1);
        Assert.Equal(20 * Math.Log10(2), SampleMeasures.LevelErrorDb(x, Scaled(x, 2)), 6);
        Assert.Equal(0, SampleMeasures.LevelErrorDb(x, x), 12);
        Assert.Equal(-20 * Math.Log10(2), SampleMeasures.LevelErrorDb(x, Scaled(x, 0.5f)), 6);
    }

    [Fact]
    public void ASineHasACrestFactorOf3Point01Db()
    {
        // 1 kHz at 48 kHz: whole periods, and a sample at every peak.
        Assert.Equal(10 * Math.Log10(2), SampleMeasures.CrestFactorDb(Sine(1000, 1)), 4);
    }

    [Fact]
    public void ConstantOffsetIsMeasuredExactly()
    {
        // 100 Hz has whole periods in each 1 s window, so each window's mean is the offset alone.
        var x = Array.ConvertAll(Sine(100, 2), v => v + 0.05f);
        Assert.Equal(0.05, SampleMeasures.LargestDcOffset(x, Rate), 5);
        Assert.Equal(0, SampleMeasures.LargestDcOffset(Sine(100, 2), Rate), 5);
    }

    [Fact]
    public void TheLargestWindowOffsetIsReported()
    {
        var x = Sine(100, 3);
        for (int i = Rate; i < 2 * Rate; i++) x[i] -= 0.2f;
        for (int i = 2 * Rate; i < 3 * Rate; i++) x[i] += 0.1f;
        Assert.Equal(0.2, SampleMeasures.LargestDcOffset(x, Rate), 5);
    }

    [Fact]
    public void ClippedSamplesAreThoseAtOrBeyondFullScale()
    {
        float[] x = [0, 0.5f, 0.99999f, 1, -1, 1.5f, -2, 0.3f, float.BitDecrement(1f), -0.99f];
        Assert.Equal(4, SampleMeasures.ClippedSamples(x));
        Assert.Equal(0, SampleMeasures.ClippedSamples(Sine(1000, 1, amplitude: 0.999)));
    }
}
