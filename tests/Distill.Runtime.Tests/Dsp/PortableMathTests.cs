using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

/// <summary>Against the closed forms in double precision, over the ranges phase reconstruction uses.</summary>
public class PortableMathTests
{
    [Fact]
    public void SinAndCosAreWithinAFewUlps()
    {
        var random = new Random(5);
        var x = Enumerable.Range(0, 20001).Select(i => i < 2001 ? (float)((i - 1000) * Math.PI / 500) : (float)(random.NextDouble() * 400 - 200)).ToArray();
        var sin = new float[x.Length];
        var cos = new float[x.Length];
        PortableMath.SinCos(x, sin, cos);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(sin[i] - Math.Sin(x[i])) < 3e-7, $"sin({x[i]}) = {sin[i]}, expected {Math.Sin(x[i])}");
            Assert.True(Math.Abs(cos[i] - Math.Cos(x[i])) < 3e-7, $"cos({x[i]}) = {cos[i]}, expected {Math.Cos(x[i])}");
        }
    }

    [Fact]
    public void LogIsWithinAFewUlps()
    {
        var x = Enumerable.Range(0, 20003).Select(i => (float)Math.Pow(10, -30 + i * 60.0 / 20002)).ToArray();
        var y = new float[x.Length];
        PortableMath.Log(x, y);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(y[i] - Math.Log(x[i])) <= 2e-7 * Math.Max(1, Math.Abs(Math.Log(x[i]))), $"log({x[i]}) = {y[i]}, expected {Math.Log(x[i])}");
    }

    [Fact]
    public void TheTailGivesTheSameBitsAsAFullLane()
    {
        float[] x = [0.3f, 2.5f, -7.1f, 1e-3f, 42f];
        var full = new float[5];
        var partial = new float[1];
        var sinFull = new float[5];
        var cosFull = new float[5];
        PortableMath.Log(x.Select(Math.Abs).ToArray(), full);
        PortableMath.SinCos(x, sinFull, cosFull);
        for (int i = 0; i < x.Length; i++)
        {
            PortableMath.Log([Math.Abs(x[i])], partial);
            Assert.Equal(full[i], partial[0]);
            float[] s = [0], c = [0];
            PortableMath.SinCos([x[i]], s, c);
            Assert.Equal(sinFull[i], s[0]);
            Assert.Equal(cosFull[i], c[0]);
        }
    }
}
