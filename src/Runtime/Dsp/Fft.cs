using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Distill.Runtime.Dsp;

/// <summary>
/// Radix-2 complex FFT of one fixed power-of-two size, with twiddles and bit-reversal tables built
/// once; butterflies run a vector's width at a time where a stage allows it (same arithmetic, same
/// results as one at a time). Transforms run in place on caller buffers and allocate nothing.
/// Real signals: <see cref="RealFft"/>.
/// </summary>
public sealed class Fft
{
    public int Size { get; }
    readonly double[] cos, sin;     // per stage of half-length h: e^(−2πik/2h) for k < h, at offset h − 1
    readonly double[] sinInverse;   // −sin, for e^(+2πik/2h)
    readonly int[] swaps;           // pairs (i, j), i < j, exchanged by the bit-reversal permutation

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0)
            throw new ArgumentException($"FFT size must be a power of two, got {size}");
        Size = size;
        // Each stage's twiddles stored contiguously (the same values a stride through one table gives),
        // so the butterflies of a stage run over consecutive memory and vectorise.
        cos = new double[size - 1];
        sin = new double[size - 1];
        for (int half = 1; half < size; half <<= 1)
            for (int k = 0; k < half; k++)
            {
                int stride = size / (2 * half);
                cos[half - 1 + k] = Math.Cos(2 * Math.PI * (k * stride) / size);
                sin[half - 1 + k] = -Math.Sin(2 * Math.PI * (k * stride) / size);
            }
        sinInverse = Array.ConvertAll(sin, v => -v);
        var pairs = new List<int>();
        int bits = BitOperations.Log2((uint)size);
        for (int i = 0; i < size; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            if (r > i) { pairs.Add(i); pairs.Add(r); }
        }
        swaps = pairs.ToArray();
    }

    /// <summary>In-place forward DFT: X[k] = Σ x[n]·e^(−2πikn/N). Inverse = conjugate trick, scaled by
    /// 1/N.</summary>
    public void Transform(Span<double> re, Span<double> im, bool inverse = false)
    {
        int n = Size;
        if (re.Length < n || im.Length < n) throw new ArgumentException($"buffers must hold {n} values");
        for (int p = 0; p < swaps.Length; p += 2)
        {
            int i = swaps[p], j = swaps[p + 1];
            (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]);
        }
        for (int a = 0; a < n; a += 2) // first stage: the twiddle is 1
        {
            double xr = re[a + 1], xi = im[a + 1];
            re[a + 1] = re[a] - xr; im[a + 1] = im[a] - xi;
            re[a] += xr; im[a] += xi;
        }
        ref double r0 = ref MemoryMarshal.GetReference(re), i0 = ref MemoryMarshal.GetReference(im);
        int width = Vector<double>.Count;
        for (int half = 2; half < n; half <<= 1)
        {
            ref double wc = ref cos[half - 1], ws = ref (inverse ? sinInverse : sin)[half - 1];
            for (int start = 0; start < n; start += 2 * half)
            {
                int k = 0;
                if (Vector.IsHardwareAccelerated)
                    for (; k <= half - width; k += width)
                    {
                        nuint a = (nuint)(start + k), b = a + (nuint)half;
                        var c = Vector.LoadUnsafe(ref wc, (nuint)k);
                        var s = Vector.LoadUnsafe(ref ws, (nuint)k);
                        var xr = Vector.LoadUnsafe(ref r0, b); var xi = Vector.LoadUnsafe(ref i0, b);
                        var yr = Vector.LoadUnsafe(ref r0, a); var yi = Vector.LoadUnsafe(ref i0, a);
                        var tr = xr * c - xi * s; var ti = xr * s + xi * c;
                        (yr - tr).StoreUnsafe(ref r0, b); (yi - ti).StoreUnsafe(ref i0, b);
                        (yr + tr).StoreUnsafe(ref r0, a); (yi + ti).StoreUnsafe(ref i0, a);
                    }
                for (; k < half; k++)
                {
                    int a = start + k, b = a + half;
                    double c = Unsafe.Add(ref wc, k), s = Unsafe.Add(ref ws, k);
                    double tr = re[b] * c - im[b] * s, ti = re[b] * s + im[b] * c;
                    re[b] = re[a] - tr; im[b] = im[a] - ti;
                    re[a] += tr; im[a] += ti;
                }
            }
        }
        if (inverse)
        {
            double scale = 1.0 / n;
            int i = 0;
            if (Vector.IsHardwareAccelerated)
                for (; i <= n - width; i += width)
                {
                    (Vector.LoadUnsafe(ref r0, (nuint)i) * scale).StoreUnsafe(ref r0, (nuint)i);
                    (Vector.LoadUnsafe(ref i0, (nuint)i) * scale).StoreUnsafe(ref i0, (nuint)i);
                }
            for (; i < n; i++) { re[i] *= scale; im[i] *= scale; }
        }
    }
}
