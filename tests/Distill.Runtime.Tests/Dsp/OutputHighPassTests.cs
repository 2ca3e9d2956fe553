using Distill.Runtime.Dsp;
using Xunit.Abstractions;

namespace Distill.Tests.Dsp;

public class OutputHighPassTests(ITestOutputHelper output)
{
    const int Rate = 48000;
    const double Corner = 20;

    static double Db(double gain) => 20 * Math.Log10(gain);

    static float[] Sine(double hz, double seconds, double amplitude = 0.5)
    {
        var x = new float[(int)(seconds * Rate)];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate));
        return x;
    }

    static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return Math.Sqrt(sum / x.Length);
    }

    /// <summary>Textbook analogue magnitudes, independent of the filter's code: one-pole high-pass at 5 Hz times
    /// 2nd-order Butterworth high-pass 1/√(1 + (fc/f)⁴).</summary>
    static double TextbookMagnitude(double hz) =>
        hz / Math.Sqrt(hz * hz + OutputHighPass.DcCornerHz * OutputHighPass.DcCornerHz)
        / Math.Sqrt(1 + Math.Pow(Corner / hz, 4));

    [Fact]
    public void ConstantInputDecaysToZero()
    {
        var filter = new OutputHighPass(Rate, Corner);
        var x = new float[Rate];
        x.AsSpan().Fill(0.5f);
        filter.Process(x);
        double mean = 0;
        for (int i = Rate / 2; i < Rate; i++) mean += x[i];
        mean /= Rate / 2;
        output.WriteLine($"after 1 s: {x[^1]:E3}; mean of the last 0.5 s: {mean:E3}; peak |y| {x.Max(Math.Abs):F4}");
        Assert.True(Math.Abs(x[^1]) < 1e-3);
        Assert.True(Math.Abs(mean) < 1e-4);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(10000)]
    public void SteadyStateSineGainMatchesTheAnalyticResponse(double hz)
    {
        const double skip = 2, measure = 2; // 2 s is a whole number of periods at every test frequency
        var filter = new OutputHighPass(Rate, Corner);
        var x = Sine(hz, skip + measure);
        var y = (float[])x.Clone();
        filter.Process(y);
        int from = (int)(skip * Rate);
        double measured = Db(Rms(y.AsSpan(from)) / Rms(x.AsSpan(from)));
        double analytic = Db(filter.MagnitudeAt(hz)), textbook = Db(TextbookMagnitude(hz));
        output.WriteLine($"{hz} Hz: measured {measured:F4} dB, analytic {analytic:F4} dB, textbook {textbook:F4} dB");
        Assert.Equal(analytic, measured, 0.05);
        Assert.InRange(measured - textbook, -0.2, 0.2); // bilinear warping is tiny this far below Nyquist
        if (hz >= 1000) Assert.InRange(measured, -0.01, 0.01);
    }

    [Fact]
    public void ButterworthStageIsThreeDecibelsDownAtTheCorner()
    {
        var butterworth = Biquad.HighPass(Rate, Corner, 1 / Math.Sqrt(2));
        Assert.Equal(-10 * Math.Log10(2), Db(butterworth.MagnitudeAt(Rate, Corner)), 1e-6);
        // The DC blocker takes a little more at the corner: 20 / √(20² + 5²) ≈ −0.26 dB.
        double cascade = Db(new OutputHighPass(Rate, Corner).MagnitudeAt(Corner));
        Assert.InRange(cascade, -3.01 - 0.27 - 0.01, -3.01 - 0.25);
    }

    static float[] TestSignal(int length)
    {
        var random = new Random(11);
        var x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = (float)(0.3 + 0.3 * Math.Sin(2 * Math.PI * 7 * i / Rate) + 0.2 * (random.NextDouble() - 0.5));
        return x;
    }

    [Fact]
    public void ResetMatchesAFreshFilter()
    {
        var filter = new OutputHighPass(Rate, Corner);
        filter.Process(TestSignal(Rate / 3));
        filter.Reset();
        var afterReset = TestSignal(Rate / 2);
        filter.Process(afterReset);
        var fresh = TestSignal(Rate / 2);
        new OutputHighPass(Rate, Corner).Process(fresh);
        Assert.Equal(fresh, afterReset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(512)]
    public void BlockSizeDoesNotChangeTheOutput(int block)
    {
        var whole = TestSignal(Rate);
        new OutputHighPass(Rate, Corner).Process(whole);
        var split = TestSignal(Rate);
        var filter = new OutputHighPass(Rate, Corner);
        for (int i = 0; i < split.Length; i += block)
            filter.Process(split.AsSpan(i, Math.Min(block, split.Length - i)));
        Assert.Equal(whole, split); // bit for bit: float equality, element by element
    }
}
