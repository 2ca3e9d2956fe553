using System.Runtime.Intrinsics;

namespace Distill.Runtime.Dsp;

/// <summary>
/// Sine, cosine and natural log over spans, four lanes at a time with plain multiplies and adds (no fused
/// multiply-add, no width that depends on the machine), so the CLI (JIT, AVX2) and the plugins (NativeAOT, baseline
/// x64) compute the same bits — a bounce must equal <c>distill render</c> exactly — at vector speed. Cephes'
/// single-precision polynomials: about 1 ulp near the origin; sin/cos after a three-part reduction by π/2, which
/// stays exact for |x| below about 8000.
/// </summary>
public static class PortableMath
{
    public static void SinCos(ReadOnlySpan<float> x, Span<float> sin, Span<float> cos)
    {
        int i = 0;
        for (; i <= x.Length - 4; i += 4)
        {
            var (s, c) = SinCos(Vector128.Create(x[i..]));
            s.CopyTo(sin[i..]);
            c.CopyTo(cos[i..]);
        }
        if (i == x.Length) return;
        Span<float> lane = stackalloc float[4];
        lane.Clear();
        x[i..].CopyTo(lane);
        var (ts, tc) = SinCos(Vector128.Create((ReadOnlySpan<float>)lane));
        for (int k = 0; i + k < x.Length; k++) { sin[i + k] = ts.GetElement(k); cos[i + k] = tc.GetElement(k); }
    }

    /// <summary>Natural log of positive, normal numbers.</summary>
    public static void Log(ReadOnlySpan<float> x, Span<float> result)
    {
        int i = 0;
        for (; i <= x.Length - 4; i += 4) Log(Vector128.Create(x[i..])).CopyTo(result[i..]);
        if (i == x.Length) return;
        Span<float> lane = stackalloc float[4];
        lane.Fill(1);
        x[i..].CopyTo(lane);
        var t = Log(Vector128.Create((ReadOnlySpan<float>)lane));
        for (int k = 0; i + k < x.Length; k++) result[i + k] = t.GetElement(k);
    }

    static (Vector128<float> Sin, Vector128<float> Cos) SinCos(Vector128<float> x)
    {
        var j = Vector128.Round(x * Vector128.Create(0.63661977236758134f)); // nearest multiple of π/2
        var y = x - j * Vector128.Create(1.5703125f);
        y -= j * Vector128.Create(4.837512969970703125e-4f);
        y -= j * Vector128.Create(7.54978995489188216e-8f);
        var z = y * y;
        var s = ((Vector128.Create(-1.9515295891e-4f) * z + Vector128.Create(8.3321608736e-3f)) * z
                 + Vector128.Create(-1.6666654611e-1f)) * z * y + y;
        var c = ((Vector128.Create(2.443315711809948e-5f) * z + Vector128.Create(-1.388731625493765e-3f)) * z
                 + Vector128.Create(4.166664568298827e-2f)) * z * z
                - Vector128.Create(0.5f) * z + Vector128<float>.One;
        var quadrant = Vector128.ConvertToInt32(j) & Vector128.Create(3);
        var swap = Vector128.Equals(quadrant & Vector128.Create(1), Vector128.Create(1)).AsSingle();
        var sinBase = Vector128.ConditionalSelect(swap, c, s);
        var cosBase = Vector128.ConditionalSelect(swap, s, c);
        // sin is negative in quadrants 2 and 3, cos in 1 and 2.
        var sinSign = Vector128.ShiftLeft(quadrant & Vector128.Create(2), 30).AsSingle();
        var cosSign = Vector128.ShiftLeft((quadrant + Vector128.Create(1)) & Vector128.Create(2), 30).AsSingle();
        return (sinBase ^ sinSign, cosBase ^ cosSign);
    }

    static Vector128<float> Log(Vector128<float> x)
    {
        var bits = x.AsInt32();
        var e = Vector128.ConvertToSingle(Vector128.ShiftRightArithmetic(bits, 23) - Vector128.Create(126));
        var m = (bits & Vector128.Create(0x007FFFFF) | Vector128.Create(0x3F000000)).AsSingle(); // [0.5, 1)
        var small = Vector128.LessThan(m, Vector128.Create(0.707106781186547524f));
        e -= Vector128.ConditionalSelect(small, Vector128<float>.One, Vector128<float>.Zero);
        m = Vector128.ConditionalSelect(small, m + m, m) - Vector128<float>.One;
        var z = m * m;
        var p = Vector128.Create(7.0376836292e-2f);
        p = p * m + Vector128.Create(-1.1514610310e-1f);
        p = p * m + Vector128.Create(1.1676998740e-1f);
        p = p * m + Vector128.Create(-1.2420140846e-1f);
        p = p * m + Vector128.Create(1.4249322787e-1f);
        p = p * m + Vector128.Create(-1.6668057665e-1f);
        p = p * m + Vector128.Create(2.0000714765e-1f);
        p = p * m + Vector128.Create(-2.4999993993e-1f);
        p = p * m + Vector128.Create(3.3333331174e-1f);
        var y = p * m * z;
        y += e * Vector128.Create(-2.12194440e-4f);
        y -= Vector128.Create(0.5f) * z;
        return m + y + e * Vector128.Create(0.693359375f);
    }
}
