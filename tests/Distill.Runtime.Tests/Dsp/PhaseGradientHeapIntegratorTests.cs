using Distill.Runtime.Dsp;
using Xunit.Abstractions;

namespace Distill.Tests.Dsp;

public class PhaseGradientHeapIntegratorTests(ITestOutputHelper output)
{
    const int NFft = 2048, Hop = 512, Bins = NFft / 2 + 1;

    /// <summary>Phase of frame n by RTPGHI from the true phase of frame n−1, next to the true phase of frame n.</summary>
    static (float[] Re, float[] Im, float[] TrueRe, float[] TrueIm, float[] Magnitude) Integrate(float[] x, int n)
    {
        var (re, im, _) = new Stft(NFft, Hop).Forward(x);
        float[] Slice(float[] a, int t) => a.AsSpan(t * Bins, Bins).ToArray();
        float[] Log(int t) => Enumerable.Range(0, Bins).Select(m => PhaseGradientHeapIntegrator.LogMagnitude(MathF.Sqrt(re[t * Bins + m] * re[t * Bins + m] + im[t * Bins + m] * im[t * Bins + m]))).ToArray();
        var (pr, pi) = (Slice(re, n - 1), Slice(im, n - 1));
        for (int m = 0; m < Bins; m++) { float r = MathF.Sqrt(pr[m] * pr[m] + pi[m] * pi[m]); pr[m] /= r; pi[m] /= r; }
        var outRe = new float[Bins];
        var outIm = new float[Bins];
        new PhaseGradientHeapIntegrator(NFft, Hop).Integrate(Log(n - 1), Log(n), Log(n + 1), pr, pi, outRe, outIm);
        var (tr, ti) = (Slice(re, n), Slice(im, n));
        var magnitude = Enumerable.Range(0, Bins).Select(m => MathF.Sqrt(tr[m] * tr[m] + ti[m] * ti[m])).ToArray();
        return (outRe, outIm, tr, ti, magnitude);
    }

    static double Angle(double re, double im) => Math.Atan2(im, re);
    static double Wrap(double a) => Math.IEEERemainder(a, 2 * Math.PI);

    [Theory]
    [InlineData(100.0)]
    [InlineData(100.25)]
    [InlineData(100.5)]
    [InlineData(317.8)]
    public void ASineKeepsItsPhaseFromFrameToFrame(double bin)
    {
        // The phase advance per hop comes from the magnitude slope across bins (instantaneous frequency).
        var x = Enumerable.Range(0, 48000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * bin * i / NFft + 0.3))).ToArray();
        var (re, im, tr, ti, mag) = Integrate(x, 30);
        // The main lobe (within 20 dB of the peak); side lobes flip sign and carry little energy.
        int peak = Array.IndexOf(mag, mag.Max());
        double worst = 0;
        for (int m = peak - 2; m <= peak + 2; m++)
            if (mag[m] > 0.1 * mag[peak]) worst = Math.Max(worst, Math.Abs(Wrap(Angle(re[m], im[m]) - Angle(tr[m], ti[m]))));
        output.WriteLine($"bin {bin}: worst phase error on the main lobe {worst:F4} rad");
        Assert.True(worst < 0.05, $"{worst} rad");
    }

    [Theory]
    [InlineData(100)]
    [InlineData(-100)]
    [InlineData(200)]
    [InlineData(-250)]
    public void AClickGetsItsDelayAcrossBins(int offset)
    {
        // A click `offset` samples after the centre of frame n: in Stft's frame (origin N/2 before the
        // centre) bin m has phase −2π·m·(N/2 + offset)/N, so neighbouring bins differ by a constant,
        // which RTPGHI reads from the magnitude change over frames n−1 … n+1.
        const int n = 20;
        var x = new float[48000];
        x[n * Hop + offset] = 1;
        var (re, im, _, _, _) = Integrate(x, n);
        double truth = Wrap(-2 * Math.PI * (NFft / 2 + offset) / NFft);
        var steps = Enumerable.Range(1, Bins - 2).Select(m => Wrap(Angle(re[m + 1], im[m + 1]) - Angle(re[m], im[m]) - truth)).Order().ToArray();
        double median = steps[steps.Length / 2];
        double delay = offset - median * NFft / (2 * Math.PI);
        output.WriteLine($"click at {offset:+0;-0}: median step error {median:F4} rad, delay read as {delay:F1} samples");
        // γ treats the Hann window as a Gaussian, exact near the centre and ~15 % off at N/8.
        Assert.InRange(delay, offset - 0.15 * Math.Abs(offset), offset + 0.15 * Math.Abs(offset));
    }

    [Fact]
    public void SilenceAndBinsBelowTheToleranceGetPhaseZero()
    {
        var integrator = new PhaseGradientHeapIntegrator(NFft, Hop, relativeTolerance: 1e-3);
        var silent = Enumerable.Repeat(PhaseGradientHeapIntegrator.LogMagnitude(0), Bins).ToArray();
        var loud = (float[])silent.Clone();
        loud[40] = 5; loud[41] = 5.5f; loud[42] = 5;
        var unitRe = Enumerable.Repeat(1f, Bins).ToArray();
        var unitIm = new float[Bins];
        var re = new float[Bins];
        var im = new float[Bins];
        integrator.Integrate(silent, loud, loud, unitRe, unitIm, re, im);
        for (int m = 0; m < Bins; m++)
        {
            Assert.Equal(1, re[m] * re[m] + im[m] * im[m], 1e-5);
            if (m < 40 || m > 42) { Assert.Equal(1, re[m]); Assert.Equal(0, im[m]); }
        }
        Assert.NotEqual(0, im[42]); // reached from bin 41 by a step of about half a turn
    }

    [Fact]
    public void IntegrationAllocatesNothing()
    {
        var integrator = new PhaseGradientHeapIntegrator(NFft, Hop);
        var random = new Random(1);
        var logs = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, Bins).Select(_ => (float)random.NextDouble() * 5).ToArray()).ToArray();
        var unitRe = Enumerable.Repeat(1f, Bins).ToArray();
        var unitIm = new float[Bins];
        var re = new float[Bins];
        var im = new float[Bins];
        integrator.Integrate(logs[0], logs[1], logs[2], unitRe, unitIm, re, im);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) integrator.Integrate(logs[i % 3], logs[(i + 1) % 3], logs[(i + 2) % 3], unitRe, unitIm, re, im);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
