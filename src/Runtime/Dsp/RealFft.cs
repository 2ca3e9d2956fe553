namespace Distill.Runtime.Dsp;

/// <summary>
/// FFT of a real signal of even power-of-two size N through one complex FFT of size N/2: even samples
/// go in as real parts and odd samples as imaginary parts, and the two interleaved half-size spectra
/// are separated with the twiddles e^(−2πik/N). About half the work of a complex size-N transform.
/// Spectra hold bins 0…N/2 (the non-negative frequencies, as in <see cref="Stft"/>). Allocates
/// nothing after construction.
/// </summary>
public sealed class RealFft
{
    public int Size { get; }
    public int Bins => Size / 2 + 1;
    readonly Fft half;
    readonly double[] re, im;       // the half-size complex work buffer
    readonly double[] cos, sin;     // e^(−2πik/N) = cos[k] + i·sin[k], k < N/2

    public RealFft(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0)
            throw new ArgumentException($"real FFT size must be a power of two ≥ 4, got {size}");
        Size = size;
        half = new Fft(size / 2);
        re = new double[size / 2];
        im = new double[size / 2];
        cos = new double[size / 2];
        sin = new double[size / 2];
        for (int k = 0; k < size / 2; k++)
        {
            cos[k] = Math.Cos(2 * Math.PI * k / size);
            sin[k] = -Math.Sin(2 * Math.PI * k / size);
        }
    }

    /// <summary>X[k] = Σ x[n]·e^(−2πikn/N) for k = 0…N/2.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> specRe, Span<float> specIm)
    {
        int h = Size / 2;
        for (int n = 0; n < h; n++) { re[n] = x[2 * n]; im[n] = x[2 * n + 1]; }
        half.Transform(re, im);
        // With Z the half-size spectrum: E[k] = (Z[k] + Z*[h−k])/2 (even samples),
        // O[k] = (Z[k] − Z*[h−k])/(2i) (odd samples), X[k] = E[k] + e^(−2πik/N)·O[k]; Z[h] = Z[0].
        specRe[0] = (float)(re[0] + im[0]); specIm[0] = 0;
        specRe[h] = (float)(re[0] - im[0]); specIm[h] = 0;
        for (int k = 1; k < h; k++)
        {
            double zr = re[k], zi = im[k], cr = re[h - k], ci = -im[h - k];
            double er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
            double or = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
            double wr = cos[k], wi = sin[k];
            specRe[k] = (float)(er + wr * or - wi * oi);
            specIm[k] = (float)(ei + wr * oi + wi * or);
        }
    }

    /// <summary>The real signal whose spectrum is X (bins 0…N/2), scaled by 1/N so that
    /// Inverse(Forward(x)) = x. The imaginary parts at DC and N/2 are ignored, as a real signal has none.</summary>
    public void Inverse(ReadOnlySpan<float> specRe, ReadOnlySpan<float> specIm, Span<float> x)
    {
        int h = Size / 2;
        // Undo the split: E[k] = (X[k] + X*[h−k])/2, O[k] = (X[k] − X*[h−k])·e^(2πik/N)/2,
        // then Z[k] = E[k] + i·O[k] is the half-size spectrum of (even + i·odd) samples.
        re[0] = 0.5 * (specRe[0] + specRe[h]);
        im[0] = 0.5 * (specRe[0] - specRe[h]);
        for (int k = 1; k < h; k++)
        {
            double xr = specRe[k], xi = specIm[k], yr = specRe[h - k], yi = -specIm[h - k];
            double er = 0.5 * (xr + yr), ei = 0.5 * (xi + yi);
            double dr = 0.5 * (xr - yr), di = 0.5 * (xi - yi);
            double wr = cos[k], wi = -sin[k];
            double or = dr * wr - di * wi, oi = dr * wi + di * wr;
            re[k] = er - oi;
            im[k] = ei + or;
        }
        half.Transform(re, im, inverse: true);
        for (int n = 0; n < h; n++) { x[2 * n] = (float)re[n]; x[2 * n + 1] = (float)im[n]; }
    }
}
