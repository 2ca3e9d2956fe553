namespace Distill.Runtime.Dsp;

/// <summary>
/// Short-time Fourier transform with a periodic Hann window, centred frames (the signal is
/// reflect-padded by n_fft/2 at both ends, so frame t is centred on sample t·hop), and its inverse
/// by weighted overlap-add. Spectra are frame-major: [frame · bins + bin], bins = n_fft/2 + 1.
/// </summary>
public sealed class Stft
{
    public int NFft { get; }
    public int Hop { get; }
    public int Bins => NFft / 2 + 1;
    readonly double[] window;
    readonly Fft fft;
    readonly double[] re, im;

    public Stft(int nFft, int hop)
    {
        NFft = nFft; Hop = hop;
        window = Window.Hann(nFft);
        fft = new Fft(nFft);
        re = new double[nFft];
        im = new double[nFft];
    }

    public int FrameCount(int samples) => 1 + samples / Hop;

    /// <summary>Sample at padded index i: reflection about the ends (no edge repeat), zero far out.</summary>
    static float Reflected(ReadOnlySpan<float> x, int i)
    {
        int n = x.Length;
        if (n == 1) return i == 0 ? x[0] : 0;
        int period = 2 * (n - 1);
        int j = ((i % period) + period) % period;
        return x[j < n ? j : period - j];
    }

    /// <summary>Complex spectrum of every frame.</summary>
    public (float[] Re, float[] Im, int Frames) Forward(ReadOnlySpan<float> signal)
    {
        int frames = FrameCount(signal.Length), bins = Bins, half = NFft / 2;
        var outRe = new float[frames * bins];
        var outIm = new float[frames * bins];
        for (int t = 0; t < frames; t++)
        {
            int start = t * Hop - half;
            for (int n = 0; n < NFft; n++)
            {
                int i = start + n;
                float v = i >= 0 && i < signal.Length ? signal[i] : Reflected(signal, i);
                re[n] = v * window[n];
                im[n] = 0;
            }
            fft.Transform(re, im);
            for (int k = 0; k < bins; k++) { outRe[t * bins + k] = (float)re[k]; outIm[t * bins + k] = (float)im[k]; }
        }
        return (outRe, outIm, frames);
    }

    public float[] Magnitude(ReadOnlySpan<float> signal, out int frames)
    {
        var (r, i, f) = Forward(signal);
        frames = f;
        var mag = new float[r.Length];
        for (int k = 0; k < mag.Length; k++) mag[k] = MathF.Sqrt(r[k] * r[k] + i[k] * i[k]);
        return mag;
    }

    /// <summary>Inverse STFT: windowed overlap-add divided by the summed squared window, the
    /// least-squares signal for (possibly inconsistent) spectra; exact for a true STFT.</summary>
    public float[] Inverse(ReadOnlySpan<float> specRe, ReadOnlySpan<float> specIm, int frames, int length)
    {
        int bins = Bins, half = NFft / 2, padded = length + NFft;
        var sum = new double[padded];
        var norm = new double[padded];
        for (int t = 0; t < frames; t++)
        {
            for (int k = 0; k < bins; k++) { re[k] = specRe[t * bins + k]; im[k] = specIm[t * bins + k]; }
            for (int k = 1; k < half; k++) { re[NFft - k] = re[k]; im[NFft - k] = -im[k]; } // Hermitian: real signal
            im[0] = 0; im[half] = 0;
            fft.Transform(re, im, inverse: true);
            int start = t * Hop; // in padded coordinates (padded index = sample + half)
            for (int n = 0; n < NFft && start + n < padded; n++)
            {
                sum[start + n] += re[n] * window[n];
                norm[start + n] += window[n] * window[n];
            }
        }
        var y = new float[length];
        for (int i = 0; i < length; i++)
        {
            double w = norm[i + half];
            y[i] = w > 1e-8 ? (float)(sum[i + half] / w) : 0f;
        }
        return y;
    }
}
