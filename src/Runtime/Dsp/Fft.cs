namespace Distill.Runtime.Dsp;

/// <summary>
/// Radix-2 complex FFT of one fixed power-of-two size, with twiddles and bit-reversal tables built
/// once, plus real-signal helpers. Transforms run in place on caller buffers and allocate nothing.
/// </summary>
public sealed class Fft
{
    public int Size { get; }
    readonly double[] cos, sin;
    readonly int[] bitReversed;

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0) throw new ArgumentException($"FFT size must be a power of two, got {size}");
        Size = size;
        cos = new double[size / 2];
        sin = new double[size / 2];
        for (int k = 0; k < size / 2; k++)
        {
            cos[k] = Math.Cos(2 * Math.PI * k / size);
            sin[k] = -Math.Sin(2 * Math.PI * k / size);
        }
        bitReversed = new int[size];
        int bits = System.Numerics.BitOperations.Log2((uint)size);
        for (int i = 0; i < size; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            bitReversed[i] = r;
        }
    }

    /// <summary>In-place forward DFT: X[k] = Σ x[n]·e^(−2πikn/N). Inverse = conjugate trick, scaled by 1/N.</summary>
    public void Transform(Span<double> re, Span<double> im, bool inverse = false)
    {
        int n = Size;
        for (int i = 0; i < n; i++)
        {
            int j = bitReversed[i];
            if (j > i) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        double sign = inverse ? -1 : 1;
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1, stride = n / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = cos[k * stride], wi = sign * sin[k * stride];
                    int a = start + k, b = a + half;
                    double tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                }
            }
        }
        if (inverse)
        {
            double scale = 1.0 / n;
            for (int i = 0; i < n; i++) { re[i] *= scale; im[i] *= scale; }
        }
    }
}
