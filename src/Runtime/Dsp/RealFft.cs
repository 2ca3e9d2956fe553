using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Distill.Runtime.Dsp;

/// <summary>
/// FFT of a real signal of power-of-two size N ≥ 4 through one complex FFT of size h = N/2, in single precision
/// (the streaming path's FFT: floats in and out, and twice the vector lanes of <see cref="Fft"/>'s doubles). Even
/// samples go in as real parts and odd samples as imaginary parts; the two interleaved half-size spectra are
/// separated with the twiddles e^(−2πik/N). The complex FFT is decimation in frequency from natural order to
/// bit-reversed order, so nothing is permuted in place: the split reads its input through the bit-reversal table,
/// and the inverse runs the same forward transform with real and imaginary parts swapped. Stages of half-length ≥ 8
/// run a vector's width at a time (element-wise, so the same bits whatever the width: JIT and NativeAOT agree);
/// the last three stages run fused on each block of 8. Spectra hold bins 0…N/2 (as in <see cref="Stft"/>).
/// Allocates nothing after construction.
/// </summary>
public sealed class RealFft
{
    public int Size { get; }
    public int Bins => Size / 2 + 1;
    readonly float[] re, im;                // the half-size complex work buffer
    readonly float[] cos, sin;              // per stage of half-length L: e^(−2πik/2L) for k < L, at offset L − 1
    readonly float[] splitCos, splitSin;    // e^(−2πik/N) = splitCos[k] + i·splitSin[k], k < h
    readonly int[] reversed;                // bit reversal over log2 h bits: where the transform leaves bin k

    public RealFft(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0)
            throw new ArgumentException($"real FFT size must be a power of two ≥ 4, got {size}");
        Size = size;
        int h = size / 2;
        re = new float[h];
        im = new float[h];
        cos = new float[h - 1];
        sin = new float[h - 1];
        for (int half = 1; half < h; half <<= 1)
            for (int k = 0; k < half; k++)
            {
                cos[half - 1 + k] = (float)Math.Cos(Math.PI * k / half);
                sin[half - 1 + k] = (float)-Math.Sin(Math.PI * k / half);
            }
        splitCos = new float[h];
        splitSin = new float[h];
        for (int k = 0; k < h; k++)
        {
            splitCos[k] = (float)Math.Cos(2 * Math.PI * k / size);
            splitSin[k] = (float)-Math.Sin(2 * Math.PI * k / size);
        }
        reversed = new int[h];
        int bits = BitOperations.Log2((uint)h);
        for (int k = 1; k < h; k++) reversed[k] = (reversed[k >> 1] >> 1) | ((k & 1) << (bits - 1));
    }

    /// <summary>X[k] = Σ x[n]·e^(−2πikn/N) for k = 0…N/2.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> specRe, Span<float> specIm)
    {
        int h = Size / 2;
        if (x.Length < Size || specRe.Length < h + 1 || specIm.Length < h + 1)
            throw new ArgumentException($"need {Size} samples and {h + 1} bins");
        Deinterleave(x, re, im);
        Transform(re, im);
        // With Z the half-size spectrum: E[k] = (Z[k] + Z*[h−k])/2 (even samples),
        // O[k] = (Z[k] − Z*[h−k])/(2i) (odd samples), X[k] = E[k] + e^(−2πik/N)·O[k], and X[h−k] = (E[k] −
        // e^(−2πik/N)·O[k])*, so each pair (k, h−k) is done at once; Z[h] = Z[0], and Z[h/2] pairs with itself.
        specRe[0] = re[0] + im[0]; specIm[0] = 0;
        specRe[h] = re[0] - im[0]; specIm[h] = 0;
        int middle = reversed[h / 2];
        specRe[h / 2] = re[middle]; specIm[h / 2] = -im[middle];
        ref float zRe = ref re[0], zIm = ref im[0], xRe = ref specRe[0], xIm = ref specIm[0];
        ref float wRe = ref splitCos[0], wIm = ref splitSin[0];
        ref int at = ref reversed[0];
        for (int k = 1; k < h / 2; k++)
        {
            int a = Unsafe.Add(ref at, k), b = Unsafe.Add(ref at, h - k);
            float zr = Unsafe.Add(ref zRe, a), zi = Unsafe.Add(ref zIm, a);
            float cr = Unsafe.Add(ref zRe, b), ci = -Unsafe.Add(ref zIm, b);
            float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
            float or = 0.5f * (zi - ci), oi = -0.5f * (zr - cr);
            float wr = Unsafe.Add(ref wRe, k), wi = Unsafe.Add(ref wIm, k);
            float pr = wr * or - wi * oi, pi = wr * oi + wi * or;
            Unsafe.Add(ref xRe, k) = er + pr; Unsafe.Add(ref xIm, k) = ei + pi;
            Unsafe.Add(ref xRe, h - k) = er - pr; Unsafe.Add(ref xIm, h - k) = pi - ei;
        }
    }

    /// <summary>The real signal whose spectrum is X (bins 0…N/2), scaled by 1/N so that
    /// Inverse(Forward(x)) = x. The imaginary parts at DC and N/2 are ignored, as a real signal has none.</summary>
    public void Inverse(ReadOnlySpan<float> specRe, ReadOnlySpan<float> specIm, Span<float> x)
    {
        int h = Size / 2;
        if (x.Length < Size || specRe.Length < h + 1 || specIm.Length < h + 1)
            throw new ArgumentException($"need {Size} samples and {h + 1} bins");
        // Undo the split: E[k] = (X[k] + X*[h−k])/2, O[k] = (X[k] − X*[h−k])·e^(2πik/N)/2, then Z[k] = E[k] + i·O[k]
        // and Z[h−k] = E*[k] + i·O*[k] is the half-size spectrum of (even + i·odd) samples. The 1/h of the inverse
        // transform is folded in here (a power of two: exact).
        float scale = 1f / h, half = 0.5f * scale;
        re[0] = half * (specRe[0] + specRe[h]);
        im[0] = half * (specRe[0] - specRe[h]);
        re[h / 2] = scale * specRe[h / 2]; im[h / 2] = -scale * specIm[h / 2];
        ref float zRe = ref re[0], zIm = ref im[0], xRe = ref MemoryMarshal.GetReference(specRe),
                  xIm = ref MemoryMarshal.GetReference(specIm);
        ref float wRe = ref splitCos[0], wIm = ref splitSin[0];
        for (int k = 1; k < h / 2; k++)
        {
            float xr = Unsafe.Add(ref xRe, k), xi = Unsafe.Add(ref xIm, k);
            float yr = Unsafe.Add(ref xRe, h - k), yi = -Unsafe.Add(ref xIm, h - k);
            float er = half * (xr + yr), ei = half * (xi + yi);
            float dr = half * (xr - yr), di = half * (xi - yi);
            float wr = Unsafe.Add(ref wRe, k), wi = -Unsafe.Add(ref wIm, k);
            float or = dr * wr - di * wi, oi = dr * wi + di * wr;
            Unsafe.Add(ref zRe, k) = er - oi; Unsafe.Add(ref zIm, k) = ei + or;
            Unsafe.Add(ref zRe, h - k) = er + oi; Unsafe.Add(ref zIm, h - k) = or - ei;
        }
        // The inverse DFT is the forward one with real and imaginary parts swapped, before and after.
        Transform(im, re);
        Interleave(re, im, reversed, x);
    }

    /// <summary>even[n] = x[2n], odd[n] = x[2n + 1]: the low and high halves of each 64-bit pair.</summary>
    static void Deinterleave(ReadOnlySpan<float> x, Span<float> even, Span<float> odd)
    {
        int n = 0, width = Vector<float>.Count;
        var pairs = MemoryMarshal.Cast<float, ulong>(x[..(2 * even.Length)]);
        var evenBits = MemoryMarshal.Cast<float, uint>(even);
        var oddBits = MemoryMarshal.Cast<float, uint>(odd);
        for (; n <= even.Length - width; n += width)
        {
            var a = new Vector<ulong>(pairs[n..]);
            var b = new Vector<ulong>(pairs[(n + width / 2)..]);
            Vector.Narrow(a, b).CopyTo(evenBits[n..]);
            Vector.Narrow(a >> 32, b >> 32).CopyTo(oddBits[n..]);
        }
        for (; n < even.Length; n++) { even[n] = x[2 * n]; odd[n] = x[2 * n + 1]; }
    }

    /// <summary>x[2n] = re[order[n]], x[2n + 1] = im[order[n]].</summary>
    static void Interleave(ReadOnlySpan<float> re, ReadOnlySpan<float> im, ReadOnlySpan<int> order, Span<float> x)
    {
        ref float r0 = ref MemoryMarshal.GetReference(re), i0 = ref MemoryMarshal.GetReference(im);
        ref float x0 = ref MemoryMarshal.GetReference(x[..(2 * order.Length)]);
        for (int n = 0; n < order.Length; n++)
        {
            int a = order[n];
            Unsafe.Add(ref x0, 2 * n) = Unsafe.Add(ref r0, a);
            Unsafe.Add(ref x0, 2 * n + 1) = Unsafe.Add(ref i0, a);
        }
    }

    /// <summary>In-place complex DFT of (re, im), natural order in, bit-reversed order out.</summary>
    void Transform(Span<float> re, Span<float> im)
    {
        int h = Size / 2, fused = h >= 8 ? 8 : 1;
        for (int half = h / 2; half >= fused; half >>= 1) Stage(re, im, half);
        if (fused == 8) LastThreeStages(re, im);
    }

    /// <summary>One radix-2 decimation-in-frequency stage: for each block of 2·half, a, b → a + b, (a − b)·w^k.</summary>
    void Stage(Span<float> re, Span<float> im, int half)
    {
        ref float r0 = ref MemoryMarshal.GetReference(re), i0 = ref MemoryMarshal.GetReference(im);
        ref float wc = ref cos[half - 1], ws = ref sin[half - 1];
        int width = Vector<float>.Count;
        for (int start = 0; start < re.Length; start += 2 * half)
        {
            int k = 0;
            if (Vector.IsHardwareAccelerated)
                for (; k <= half - width; k += width)
                {
                    nuint a = (nuint)(start + k), b = a + (nuint)half;
                    var ar = Vector.LoadUnsafe(ref r0, a); var ai = Vector.LoadUnsafe(ref i0, a);
                    var br = Vector.LoadUnsafe(ref r0, b); var bi = Vector.LoadUnsafe(ref i0, b);
                    var c = Vector.LoadUnsafe(ref wc, (nuint)k); var s = Vector.LoadUnsafe(ref ws, (nuint)k);
                    (ar + br).StoreUnsafe(ref r0, a); (ai + bi).StoreUnsafe(ref i0, a);
                    var dr = ar - br; var di = ai - bi;
                    (dr * c - di * s).StoreUnsafe(ref r0, b); (dr * s + di * c).StoreUnsafe(ref i0, b);
                }
            for (; k < half; k++)
            {
                int a = start + k, b = a + half;
                float ar = re[a], ai = im[a], br = re[b], bi = im[b];
                float c = Unsafe.Add(ref wc, k), s = Unsafe.Add(ref ws, k);
                re[a] = ar + br; im[a] = ai + bi;
                float dr = ar - br, di = ai - bi;
                re[b] = dr * c - di * s; im[b] = dr * s + di * c;
            }
        }
    }

    /// <summary>Stages of half-length 4, 2 and 1 together on each block of 8, in registers; their twiddles are
    /// 1, e^(−iπ/4), −i and e^(−3iπ/4), multiplied out.</summary>
    static void LastThreeStages(Span<float> re, Span<float> im)
    {
        const float r = 0.70710678118654752f; // √½
        for (int i = 0; i + 8 <= re.Length; i += 8)
        {
            // Checked once: the block's 8 values are in range.
            ref float xr = ref re.Slice(i, 8)[0], xi = ref im.Slice(i, 8)[0];
            float x0r = xr, x1r = Unsafe.Add(ref xr, 1), x2r = Unsafe.Add(ref xr, 2), x3r = Unsafe.Add(ref xr, 3);
            float x4r = Unsafe.Add(ref xr, 4), x5r = Unsafe.Add(ref xr, 5), x6r = Unsafe.Add(ref xr, 6);
            float x7r = Unsafe.Add(ref xr, 7);
            float x0i = xi, x1i = Unsafe.Add(ref xi, 1), x2i = Unsafe.Add(ref xi, 2), x3i = Unsafe.Add(ref xi, 3);
            float x4i = Unsafe.Add(ref xi, 4), x5i = Unsafe.Add(ref xi, 5), x6i = Unsafe.Add(ref xi, 6);
            float x7i = Unsafe.Add(ref xi, 7);
            // Half-length 4.
            float a0r = x0r + x4r, a0i = x0i + x4i, d0r = x0r - x4r, d0i = x0i - x4i;
            float a1r = x1r + x5r, a1i = x1i + x5i, d1r = x1r - x5r, d1i = x1i - x5i;
            float a2r = x2r + x6r, a2i = x2i + x6i, d2r = x2r - x6r, d2i = x2i - x6i;
            float a3r = x3r + x7r, a3i = x3i + x7i, d3r = x3r - x7r, d3i = x3i - x7i;
            float b1r = (d1r + d1i) * r, b1i = (d1i - d1r) * r;     // · e^(−iπ/4)
            float b2r = d2i, b2i = -d2r;                            // · −i
            float b3r = (d3i - d3r) * r, b3i = -(d3r + d3i) * r;    // · e^(−3iπ/4)
            // Half-length 2 on (a0…a3) and (d0, b1, b2, b3).
            float e0r = a0r + a2r, e0i = a0i + a2i, e2r = a0r - a2r, e2i = a0i - a2i;
            float e1r = a1r + a3r, e1i = a1i + a3i, e3r = a1i - a3i, e3i = a3r - a1r;
            float f0r = d0r + b2r, f0i = d0i + b2i, f2r = d0r - b2r, f2i = d0i - b2i;
            float f1r = b1r + b3r, f1i = b1i + b3i, f3r = b1i - b3i, f3i = b3r - b1r;
            // Half-length 1.
            xr = e0r + e1r; Unsafe.Add(ref xr, 1) = e0r - e1r; Unsafe.Add(ref xr, 2) = e2r + e3r;
            Unsafe.Add(ref xr, 3) = e2r - e3r; Unsafe.Add(ref xr, 4) = f0r + f1r; Unsafe.Add(ref xr, 5) = f0r - f1r;
            Unsafe.Add(ref xr, 6) = f2r + f3r; Unsafe.Add(ref xr, 7) = f2r - f3r;
            xi = e0i + e1i; Unsafe.Add(ref xi, 1) = e0i - e1i; Unsafe.Add(ref xi, 2) = e2i + e3i;
            Unsafe.Add(ref xi, 3) = e2i - e3i; Unsafe.Add(ref xi, 4) = f0i + f1i; Unsafe.Add(ref xi, 5) = f0i - f1i;
            Unsafe.Add(ref xi, 6) = f2i + f3i; Unsafe.Add(ref xi, 7) = f2i - f3i;
        }
    }
}
