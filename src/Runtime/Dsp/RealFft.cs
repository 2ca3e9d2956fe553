using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Distill.Runtime.Dsp;

/// <summary>
/// FFT of a real signal of power-of-two size N ≥ 4 through one complex FFT of size h = N/2, in single precision
/// (the streaming path's FFT: floats in and out, and twice the vector lanes of <see cref="Fft"/>'s doubles). Even
/// samples go in as real parts and odd samples as imaginary parts; the two interleaved half-size spectra are
/// separated with the twiddles e^(−2πik/N). The complex FFT is decimation in frequency from natural order to
/// bit-reversed order, so nothing is permuted in place: the split reads its input through the bit-reversal table,
/// and the inverse runs the same forward transform with real and imaginary parts swapped. Stages run two at a time
/// (radix 4: half the passes over the buffer, three twiddle products per four points instead of four) down to
/// half-length 8, a vector's width at a time (element-wise, so the same bits whatever the width: JIT and NativeAOT
/// agree); the last three stages run fused on each block of 8. The split runs eight pairs (k, h − k) at a time, the
/// second of each pair's lanes reversed. Spectra hold bins 0…N/2 (as in <see cref="Stft"/>).
/// Allocates nothing after construction.
/// </summary>
public sealed class RealFft
{
    public int Size { get; }
    public int Bins => Size / 2 + 1;
    readonly float[] re, im;                // the half-size complex work buffer
    readonly float[] cos, sin;              // per stage of half-length L: e^(−2πik/2L) for k < L, at offset L − 1
    readonly float[] cos3, sin3;            // radix-4 pass of quarter q: e^(−2πi·3k/4q), k < q, at q − 1
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
        cos3 = new float[Math.Max(1, h / 2)];
        sin3 = new float[cos3.Length];
        for (int q = 1; 4 * q <= h; q <<= 1)
            for (int k = 0; k < q; k++)
            {
                cos3[q - 1 + k] = (float)Math.Cos(1.5 * Math.PI * k / q);
                sin3[q - 1 + k] = (float)-Math.Sin(1.5 * Math.PI * k / q);
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
        int k = 1;
        if (Vector256.IsHardwareAccelerated)
            for (var half = Vector256.Create(0.5f); k + 8 <= h / 2; k += 8)
            {
                // Lane j holds the pair (k + j, h − k − j).
                var zr = Gather(ref zRe, ref at, k, 1); var zi = Gather(ref zIm, ref at, k, 1);
                var cr = Gather(ref zRe, ref at, h - k, -1); var ci = -Gather(ref zIm, ref at, h - k, -1);
                var er = half * (zr + cr); var ei = half * (zi + ci);
                var or = half * (zi - ci); var oi = -half * (zr - cr);
                var wr = Vector256.LoadUnsafe(ref wRe, (nuint)k); var wi = Vector256.LoadUnsafe(ref wIm, (nuint)k);
                var pr = wr * or - wi * oi; var pi = wr * oi + wi * or;
                (er + pr).StoreUnsafe(ref xRe, (nuint)k); (ei + pi).StoreUnsafe(ref xIm, (nuint)k);
                Reverse(er - pr).StoreUnsafe(ref xRe, (nuint)(h - k - 7));
                Reverse(pi - ei).StoreUnsafe(ref xIm, (nuint)(h - k - 7));
            }
        for (; k < h / 2; k++)
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
        int k = 1;
        if (Vector256.IsHardwareAccelerated)
            for (var vh = Vector256.Create(half); k + 8 <= h / 2; k += 8)
            {
                // Lane j holds the pair (k + j, h − k − j).
                nuint low = (nuint)k, high = (nuint)(h - k - 7);
                var xr = Vector256.LoadUnsafe(ref xRe, low); var xi = Vector256.LoadUnsafe(ref xIm, low);
                var yr = Reverse(Vector256.LoadUnsafe(ref xRe, high));
                var yi = -Reverse(Vector256.LoadUnsafe(ref xIm, high));
                var er = vh * (xr + yr); var ei = vh * (xi + yi);
                var dr = vh * (xr - yr); var di = vh * (xi - yi);
                var wr = Vector256.LoadUnsafe(ref wRe, low); var wi = -Vector256.LoadUnsafe(ref wIm, low);
                var or = dr * wr - di * wi; var oi = dr * wi + di * wr;
                (er - oi).StoreUnsafe(ref zRe, low); (ei + or).StoreUnsafe(ref zIm, low);
                Reverse(er + oi).StoreUnsafe(ref zRe, high); Reverse(or - ei).StoreUnsafe(ref zIm, high);
            }
        for (; k < h / 2; k++)
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

    /// <summary>Lane j = z[order[first + step·j]].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Gather(ref float z, ref int order, int first, int step) => Vector256.Create(
        Unsafe.Add(ref z, Unsafe.Add(ref order, first)), Unsafe.Add(ref z, Unsafe.Add(ref order, first + step)),
        Unsafe.Add(ref z, Unsafe.Add(ref order, first + 2 * step)),
        Unsafe.Add(ref z, Unsafe.Add(ref order, first + 3 * step)),
        Unsafe.Add(ref z, Unsafe.Add(ref order, first + 4 * step)),
        Unsafe.Add(ref z, Unsafe.Add(ref order, first + 5 * step)),
        Unsafe.Add(ref z, Unsafe.Add(ref order, first + 6 * step)),
        Unsafe.Add(ref z, Unsafe.Add(ref order, first + 7 * step)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Reverse(Vector256<float> v) =>
        Vector256.Shuffle(v, Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0));

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
        int h = Size / 2, fused = h >= 8 ? 8 : 1, half = h / 2;
        for (; half / 2 >= fused; half >>= 2) RadixFourStage(re, im, half / 2);
        for (; half >= fused; half >>= 1) Stage(re, im, half);
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

    /// <summary>Two radix-2 stages (half-lengths 2q and q) in one pass: for each block of 4q, with W = e^(−2πi/4q),
    /// x0…x3 at k, k + q, k + 2q, k + 3q → (x0 + x2) + (x1 + x3), ((x0 + x2) − (x1 + x3))·W^2k,
    /// ((x0 − x2) − i(x1 − x3))·W^k, ((x0 − x2) + i(x1 − x3))·W^3k, in the places the two stages leave them.
    /// </summary>
    void RadixFourStage(Span<float> re, Span<float> im, int q)
    {
        ref float r0 = ref MemoryMarshal.GetReference(re), i0 = ref MemoryMarshal.GetReference(im);
        ref float c1 = ref cos[2 * q - 1], s1 = ref sin[2 * q - 1];
        ref float c2 = ref cos[q - 1], s2 = ref sin[q - 1];
        ref float c3 = ref cos3[q - 1], s3 = ref sin3[q - 1];
        int width = Vector<float>.Count;
        for (int start = 0; start < re.Length; start += 4 * q)
        {
            int k = 0;
            if (Vector.IsHardwareAccelerated)
                for (; k <= q - width; k += width)
                {
                    nuint a0 = (nuint)(start + k), a1 = a0 + (nuint)q, a2 = a1 + (nuint)q, a3 = a2 + (nuint)q;
                    var x0r = Vector.LoadUnsafe(ref r0, a0); var x0i = Vector.LoadUnsafe(ref i0, a0);
                    var x1r = Vector.LoadUnsafe(ref r0, a1); var x1i = Vector.LoadUnsafe(ref i0, a1);
                    var x2r = Vector.LoadUnsafe(ref r0, a2); var x2i = Vector.LoadUnsafe(ref i0, a2);
                    var x3r = Vector.LoadUnsafe(ref r0, a3); var x3i = Vector.LoadUnsafe(ref i0, a3);
                    var sr = x0r + x2r; var si = x0i + x2i; var dr = x0r - x2r; var di = x0i - x2i;
                    var tr = x1r + x3r; var ti = x1i + x3i; var er = x1r - x3r; var ei = x1i - x3i;
                    (sr + tr).StoreUnsafe(ref r0, a0); (si + ti).StoreUnsafe(ref i0, a0);
                    var ur = sr - tr; var ui = si - ti;
                    var c = Vector.LoadUnsafe(ref c2, (nuint)k); var s = Vector.LoadUnsafe(ref s2, (nuint)k);
                    (ur * c - ui * s).StoreUnsafe(ref r0, a1); (ur * s + ui * c).StoreUnsafe(ref i0, a1);
                    var vr = dr + ei; var vi = di - er;
                    c = Vector.LoadUnsafe(ref c1, (nuint)k); s = Vector.LoadUnsafe(ref s1, (nuint)k);
                    (vr * c - vi * s).StoreUnsafe(ref r0, a2); (vr * s + vi * c).StoreUnsafe(ref i0, a2);
                    var wr = dr - ei; var wi = di + er;
                    c = Vector.LoadUnsafe(ref c3, (nuint)k); s = Vector.LoadUnsafe(ref s3, (nuint)k);
                    (wr * c - wi * s).StoreUnsafe(ref r0, a3); (wr * s + wi * c).StoreUnsafe(ref i0, a3);
                }
            for (; k < q; k++)
            {
                int a0 = start + k, a1 = a0 + q, a2 = a1 + q, a3 = a2 + q;
                float sr = re[a0] + re[a2], si = im[a0] + im[a2], dr = re[a0] - re[a2], di = im[a0] - im[a2];
                float tr = re[a1] + re[a3], ti = im[a1] + im[a3], er = re[a1] - re[a3], ei = im[a1] - im[a3];
                re[a0] = sr + tr; im[a0] = si + ti;
                float ur = sr - tr, ui = si - ti, c = Unsafe.Add(ref c2, k), s = Unsafe.Add(ref s2, k);
                re[a1] = ur * c - ui * s; im[a1] = ur * s + ui * c;
                float vr = dr + ei, vi = di - er;
                c = Unsafe.Add(ref c1, k); s = Unsafe.Add(ref s1, k);
                re[a2] = vr * c - vi * s; im[a2] = vr * s + vi * c;
                float wr = dr - ei, wi = di + er;
                c = Unsafe.Add(ref c3, k); s = Unsafe.Add(ref s3, k);
                re[a3] = wr * c - wi * s; im[a3] = wr * s + wi * c;
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
