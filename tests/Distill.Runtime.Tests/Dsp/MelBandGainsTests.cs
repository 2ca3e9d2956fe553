using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class MelBandGainsTests
{
    const int Rate = 48000, NFft = 2048, Mels = 128;
    static readonly double[] Edges = MelFilterbank.BandEdges(Mels, 0, Rate / 2);
    static readonly MelBandGains Gains = new(Rate, NFft, Mels, 0, Rate / 2);

    static float[] Draw(double[] bandDb)
    {
        var gains = new float[NFft / 2 + 1];
        Gains.Apply(bandDb, gains);
        return gains;
    }

    /// <summary>One value in every band is that gain in every bin; 0 dB is exactly 1 (a correction of nothing changes
    /// no bit).</summary>
    [Fact]
    public void AFlatCurveIsOneGainEverywhere()
    {
        Assert.All(Draw(new double[Mels]), g => Assert.Equal(1f, g));
        Assert.All(Draw(Enumerable.Repeat(-6.0206, Mels).ToArray()), g => Assert.Equal(0.5, g, 4));
    }

    /// <summary>A curve linear in frequency is drawn exactly: each bin gets the line's value at its frequency, between
    /// the first band's centre and the last's, and the end values outside them.</summary>
    [Fact]
    public void ACurveLinearInFrequencyIsDrawnThroughEveryBin()
    {
        double Line(double hz) => -20 + 30 * hz / (Rate / 2.0);
        var bandDb = Enumerable.Range(0, Mels).Select(m => Line(Edges[m + 1])).ToArray();
        var gains = Draw(bandDb);
        for (int k = 0; k < gains.Length; k++)
        {
            double hz = (double)k * Rate / NFft;
            double expected = Line(Math.Clamp(hz, Edges[1], Edges[Mels]));
            double db = 20 * Math.Log10(gains[k]);
            Assert.True(Math.Abs(expected - db) < 1e-4, $"bin {k}: {db} dB, not {expected}");
        }
    }

    /// <summary>Reshaping moves the spectrum's shape and keeps the frame's power: (3, 4) with gains (1, 0) is (5, 0);
    /// silence stays silence.</summary>
    [Fact]
    public void ReshapingKeepsTheFramesPower()
    {
        float[] frame = [3, 4];
        MelBandGains.Reshape(frame, [1, 0]);
        Assert.Equal([5f, 0f], frame);
        float[] tilted = [1, 1, 1, 1];
        MelBandGains.Reshape(tilted, [1, 1, 2, 2]);
        Assert.Equal(4, tilted.Sum(v => v * v), 5);
        Assert.Equal(2, tilted[2] / tilted[0], 6);
        float[] silence = [0, 0];
        MelBandGains.Reshape(silence, [2, 3]);
        Assert.Equal([0f, 0f], silence);
    }

    /// <summary>Wrong lengths are refused.</summary>
    [Fact]
    public void WrongLengthsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Gains.Apply(new double[Mels - 1], new float[NFft / 2 + 1]));
        Assert.Throws<ArgumentException>(() => Gains.Apply(new double[Mels], new float[NFft / 2]));
    }
}
