using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class StftTests
{
    static float[] Noise(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    [Fact]
    public void CentredFramesCountOnePlusLengthOverHop()
    {
        var stft = new Stft(2048, 512);
        var (_, _, frames) = stft.Forward(new float[48000]);
        Assert.Equal(1 + 48000 / 512, frames);
    }

    [Fact]
    public void InverseOfForwardIsTheSignal()
    {
        var stft = new Stft(2048, 512);
        var x = Noise(20000, 1);
        var (re, im, frames) = stft.Forward(x);
        var y = stft.Inverse(re, im, frames, x.Length);
        double maxError = x.Zip(y, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxError < 1e-5, $"max reconstruction error {maxError}");
    }

    [Fact]
    public void EachFrameSatisfiesParseval()
    {
        // Σ_k |X[k]|² over all N bins = N·Σ_n (w[n]x[n])²; with n_fft/2+1 bins, the interior bins count twice.
        var stft = new Stft(512, 128);
        var x = Noise(4096, 2);
        var (re, im, _) = stft.Forward(x);
        var w = Window.Hann(512);
        int t = 10, bins = 257, start = t * 128 - 256;
        double time = 0;
        for (int n = 0; n < 512; n++) time += Math.Pow(w[n] * x[start + n], 2);
        double freq = 0;
        for (int k = 0; k < bins; k++)
        {
            double p = re[t * bins + k] * re[t * bins + k] + im[t * bins + k] * im[t * bins + k];
            freq += k == 0 || k == bins - 1 ? p : 2 * p;
        }
        Assert.Equal(512 * time, freq, 512 * time * 1e-5);
    }

    [Fact]
    public void ABinCentredSineHasMagnitudeANOverFour()
    {
        // Periodic Hann sums to N/2, so a sine of amplitude A at bin k gives |X[k]| = A/2 · N/2.
        const int n = 2048, k = 100; const float a = 0.5f;
        var x = Enumerable.Range(0, 48000).Select(i => a * MathF.Sin(2 * MathF.PI * k * i / n)).ToArray();
        var mag = new Stft(n, 512).Magnitude(x, out _);
        Assert.Equal(a * n / 4, mag[40 * 1025 + k], a * n / 4 * 1e-3);
    }
}
