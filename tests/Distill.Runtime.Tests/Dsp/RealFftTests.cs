using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class RealFftTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(2048)]
    [InlineData(4096)]
    public void MatchesTheNaiveDftOfARealSignalAndInverts(int n)
    {
        var random = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var fft = new RealFft(n);
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];
        fft.Forward(x, re, im);
        for (int k = 0; k <= n / 2; k++)
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * k * t / n;
                sr += x[t] * Math.Cos(a);
                si += x[t] * Math.Sin(a);
            }
            Assert.Equal(sr, re[k], 1e-4);
            Assert.Equal(si, im[k], 1e-4);
        }
        var back = new float[n];
        fft.Inverse(re, im, back);
        for (int t = 0; t < n; t++) Assert.Equal(x[t], back[t], 1e-6);
    }

    [Fact]
    public void InverseIgnoresImaginaryPartsAtDcAndNyquist()
    {
        // A real signal's spectrum has none there; the inverse must give the same real signal either way.
        var fft = new RealFft(64);
        var random = new Random(3);
        var re = Enumerable.Range(0, fft.Bins).Select(_ => (float)random.NextDouble()).ToArray();
        var im = Enumerable.Range(0, fft.Bins).Select(_ => (float)random.NextDouble()).ToArray();
        var a = new float[64];
        fft.Inverse(re, im, a);
        im[0] = 5; im[^1] = -7;
        var b = new float[64];
        fft.Inverse(re, im, b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ForwardAndInverseAllocateNothing()
    {
        var fft = new RealFft(2048);
        var x = new float[2048]; var re = new float[1025]; var im = new float[1025];
        fft.Forward(x, re, im); fft.Inverse(re, im, x);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) { fft.Forward(x, re, im); fft.Inverse(re, im, x); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void RejectsSizesThatAreNotPowersOfTwo() => Assert.Throws<ArgumentException>(() => new RealFft(1000));
}
