using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class StreamingInverseStftTests
{
    [Fact]
    public void TrueSpectraComeBackAsTheSignalDelayedByHalfAFrame()
    {
        const int nFft = 2048, hop = 512;
        var random = new Random(11);
        var x = Enumerable.Range(0, 24000).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var (re, im, frames) = new Stft(nFft, hop).Forward(x);
        var inverse = new StreamingInverseStft(nFft, hop);
        Assert.Equal(2, inverse.LatencyFrames);
        int bins = inverse.Bins;
        var y = new float[frames * hop];
        for (int t = 0; t < frames; t++)
            inverse.Push(re.AsSpan(t * bins, bins), im.AsSpan(t * bins, bins), y.AsSpan(t * hop, hop));

        // Pushing frame t wrote samples from (t − 2)·hop: sample i is at y[i + 2·hop]. The first hop
        // also needs frame −1 and the last ones frames past the end, which the stream never gets.
        int delay = inverse.LatencyFrames * hop;
        double maxError = 0;
        for (int i = hop; i + delay < y.Length; i++) maxError = Math.Max(maxError, Math.Abs(y[i + delay] - x[i]));
        Assert.True(maxError < 2e-6, $"max error {maxError}");
    }

    [Fact]
    public void NormalisesBySummedSquaredHannOfOneAndAHalf()
    {
        var inverse = new StreamingInverseStft(2048, 512);
        foreach (float v in inverse.InverseNorm) Assert.Equal(1 / 1.5f, v, 1e-6f);
    }

    [Fact]
    public void CopyFromContinuesIdentically()
    {
        const int nFft = 512, hop = 128;
        var random = new Random(2);
        var x = Enumerable.Range(0, 8000).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var (re, im, frames) = new Stft(nFft, hop).Forward(x);
        int bins = nFft / 2 + 1;
        var whole = new StreamingInverseStft(nFft, hop);
        var first = new StreamingInverseStft(nFft, hop);
        var second = new StreamingInverseStft(nFft, hop);
        var a = new float[frames * hop];
        var b = new float[frames * hop];
        for (int t = 0; t < frames; t++)
        {
            whole.Push(re.AsSpan(t * bins, bins), im.AsSpan(t * bins, bins), a.AsSpan(t * hop, hop));
            if (t == 20) second.CopyFrom(first);
            (t < 20 ? first : second).Push(re.AsSpan(t * bins, bins), im.AsSpan(t * bins, bins), b.AsSpan(t * hop, hop));
        }
        Assert.Equal(a, b);
    }
}
