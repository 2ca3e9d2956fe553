using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class FftTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(64)]
    [InlineData(2048)]
    public void MatchesTheNaiveDftAndInverts(int n)
    {
        var random = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var (r0, i0) = ((double[])re.Clone(), (double[])im.Clone());
        var fft = new Fft(n);
        fft.Transform(re, im);
        for (int k = 0; k < n; k += Math.Max(1, n / 16))
        {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++)
            {
                double a = -2 * Math.PI * k * t / n;
                sr += r0[t] * Math.Cos(a) - i0[t] * Math.Sin(a);
                si += r0[t] * Math.Sin(a) + i0[t] * Math.Cos(a);
            }
            Assert.Equal(sr, re[k], 9);
            Assert.Equal(si, im[k], 9);
        }
        fft.Transform(re, im, inverse: true);
        for (int t = 0; t < n; t++) { Assert.Equal(r0[t], re[t], 10); Assert.Equal(i0[t], im[t], 10); }
    }

    [Fact]
    public void RejectsSizesThatAreNotPowersOfTwo() => Assert.Throws<ArgumentException>(() => new Fft(1000));
}
