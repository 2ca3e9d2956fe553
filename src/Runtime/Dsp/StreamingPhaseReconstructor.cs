using System.Numerics;
using System.Runtime.InteropServices;

namespace Distill.Runtime.Dsp;

/// <summary>
/// Audio from STFT magnitude frames, one frame at a time with a fixed latency: RTISI-LA (Zhu,
/// Beauregard &amp; Wyse, IEEE TASLP 2007) started from RTPGHI phases (Průša &amp; Søndergaard, DAFx-16).
/// Each new frame gets its phase by phase-gradient heap integration from the frame before; then a
/// window of <see cref="LookAheadFrames"/> + 1 uncommitted frames is refined by Griffin–Lim
/// projections, oldest first, each frame re-analysed from the overlap-add of everything around it
/// (committed frames included) and given back its target magnitude, with the fast Griffin–Lim
/// momentum step (Perraudin et al. 2013) per frame; then the oldest frame is committed to a
/// <see cref="StreamingInverseStft"/>, which writes one hop of audio. Frames use <see cref="Stft"/>'s
/// layout and scale (periodic Hann, frame t centred on sample t·hop). Allocates nothing after
/// construction.
/// </summary>
public sealed class StreamingPhaseReconstructor
{
    public int NFft { get; }
    public int Hop { get; }
    public int Bins => NFft / 2 + 1;
    public int LookAheadFrames { get; }
    public int Iterations { get; }
    public float Momentum { get; }
    /// <summary>Pushing frame t writes samples [(t − LatencyFrames)·Hop, +Hop): one frame of look-ahead
    /// for the phase gradient, the refinement window, and N/2 for the overlap-add.</summary>
    public int LatencyFrames => 1 + LookAheadFrames + output.LatencyFrames;
    public int LatencySamples => LatencyFrames * Hop;

    readonly RealFft fft;
    readonly PhaseGradientHeapIntegrator integrator;
    readonly StreamingInverseStft output;
    readonly int slots;                 // frames t−K−1 … t in a ring, slot = frame mod slots
    readonly float[] magnitude, logMagnitude;
    readonly float[] specRe, specIm;            // the spectrum each frame is synthesised from
    readonly float[] projectedRe, projectedIm;  // its last projection (target magnitude, estimated phase)
    readonly float[] synthesis;                 // w·IFFT(spec) per frame
    readonly float[] activeSum;         // Σ synthesis of the uncommitted frames, from the oldest one's start
    readonly float[] analysisWeight;    // per window offset and position: w / Σw² of the frames so far
    readonly float[] frame, re, im, unitRe, unitIm;
    long pushed;                        // frames received

    /// <param name="lookAheadFrames">Frames after the one being committed that are refined with it
    /// (each adds a hop of latency).</param>
    /// <param name="iterations">Griffin–Lim sweeps over the window per pushed frame (cost grows with
    /// iterations × (look-ahead + 1)).</param>
    /// <param name="momentum">Fast Griffin–Lim step α (0 = plain projections). Each frame sees only
    /// iterations × (look-ahead + 1) steps, too few for the offline 0.99: 0.5–0.9 measure best.</param>
    public StreamingPhaseReconstructor(int nFft = 2048, int hop = 512, int lookAheadFrames = 2, int iterations = 3,
                                       float momentum = 0.7f)
    {
        if (lookAheadFrames < 0 || iterations < 0)
            throw new ArgumentException("look-ahead and iterations must be ≥ 0");
        NFft = nFft; Hop = hop; LookAheadFrames = lookAheadFrames; Iterations = iterations; Momentum = momentum;
        fft = new RealFft(nFft);
        integrator = new PhaseGradientHeapIntegrator(nFft, hop);
        output = new StreamingInverseStft(nFft, hop);
        int active = lookAheadFrames + 1, bins = Bins;
        slots = active + 2;
        magnitude = new float[slots * bins];
        logMagnitude = new float[slots * bins];
        specRe = new float[slots * bins];
        specIm = new float[slots * bins];
        projectedRe = new float[slots * bins];
        projectedIm = new float[slots * bins];
        synthesis = new float[slots * nFft];
        activeSum = new float[lookAheadFrames * hop + nFft];
        analysisWeight = AnalysisWeights(output.SynthesisWindow, hop, active);
        frame = new float[nFft];
        re = new float[bins];
        im = new float[bins];
        unitRe = new float[bins];
        unitIm = new float[bins];
        Reset();
    }

    /// <summary>w[i] / Σ_j w²[p − j·hop] for position i of the active frame at offset o (p = o·hop + i),
    /// summed over every frame up to the newest: the least-squares signal from the frames known so
    /// far, times the analysis window. Frames not yet pushed are left out rather than taken as silence.</summary>
    static float[] AnalysisWeights(ReadOnlySpan<float> window, int hop, int active)
    {
        int n = window.Length;
        var weights = new float[active * n];
        for (int o = 0; o < active; o++)
            for (int i = 0; i < n; i++)
            {
                int p = o * hop + i;
                double norm = 0;
                for (int j = active - 1; j * hop > p - n; j--)
                    if (p >= j * hop) norm += window[p - j * hop] * (double)window[p - j * hop];
                weights[o * n + i] = (float)(window[i] / norm);
            }
        return weights;
    }

    /// <summary>Back to the start: frames before the next push are silence.</summary>
    public void Reset()
    {
        Array.Clear(magnitude); Array.Clear(specRe); Array.Clear(specIm);
        Array.Clear(projectedRe); Array.Clear(projectedIm); Array.Clear(synthesis); Array.Clear(activeSum);
        Array.Fill(logMagnitude, PhaseGradientHeapIntegrator.LogMagnitude(0));
        output.Reset();
        pushed = 0;
    }

    /// <summary>Takes over the state of another instance of the same sizes and look-ahead; with the
    /// same iterations and momentum too, both then continue identically.</summary>
    public void CopyFrom(StreamingPhaseReconstructor other)
    {
        if (other.NFft != NFft || other.Hop != Hop || other.LookAheadFrames != LookAheadFrames)
            throw new ArgumentException("settings differ");
        other.magnitude.CopyTo(magnitude, 0); other.logMagnitude.CopyTo(logMagnitude, 0);
        other.specRe.CopyTo(specRe, 0); other.specIm.CopyTo(specIm, 0);
        other.projectedRe.CopyTo(projectedRe, 0); other.projectedIm.CopyTo(projectedIm, 0);
        other.synthesis.CopyTo(synthesis, 0); other.activeSum.CopyTo(activeSum, 0);
        output.CopyFrom(other.output);
        pushed = other.pushed;
    }

    /// <summary>Consumes whole magnitude frames (Bins values each, in <see cref="Stft"/>'s scale) and
    /// writes Hop samples per frame; any grouping of the same frames gives the same audio.</summary>
    public void Push(ReadOnlySpan<float> magnitudeFrames, Span<float> audio)
    {
        int bins = Bins, frames = magnitudeFrames.Length / bins;
        if (frames * bins != magnitudeFrames.Length)
            throw new ArgumentException($"frames must have {bins} values each");
        if (audio.Length < frames * Hop) throw new ArgumentException($"need {frames * Hop} output samples");
        for (int f = 0; f < frames; f++) PushFrame(magnitudeFrames.Slice(f * bins, bins), audio.Slice(f * Hop, Hop));
    }

    void PushFrame(ReadOnlySpan<float> newest, Span<float> audio)
    {
        long t = pushed++, n = t - 1, oldest = n - LookAheadFrames;
        newest.CopyTo(Bin(magnitude, t));
        PhaseGradientHeapIntegrator.LogMagnitudes(newest, Bin(logMagnitude, t));
        Activate(n);
        for (int it = 0; it < Iterations; it++)
            for (long j = oldest; j <= n; j++) Refine(j, (int)(j - oldest));

        var committed = synthesis.AsSpan(Slot(oldest) * NFft, NFft);
        output.PushWindowed(committed, audio);
        // Slide the active sum to the next frame's start, without the committed frame.
        var sum = activeSum.AsSpan();
        Subtract(sum[Hop..NFft], committed[Hop..]);
        sum[Hop..].CopyTo(sum);
        sum[^Hop..].Clear();
    }

    int Slot(long frameIndex) => (int)(((frameIndex % slots) + slots) % slots);
    Span<float> Bin(float[] perFrame, long frameIndex) => perFrame.AsSpan(Slot(frameIndex) * Bins, Bins);

    /// <summary>Frame n enters the window with RTPGHI phases continued from frame n−1.</summary>
    void Activate(long n)
    {
        UnitPhasors(Bin(projectedRe, n - 1), Bin(projectedIm, n - 1), unitRe, unitIm);
        integrator.Integrate(Bin(logMagnitude, n - 1), Bin(logMagnitude, n), Bin(logMagnitude, n + 1),
                             unitRe, unitIm, re, im);
        var target = Bin(magnitude, n);
        Span<float> sRe = Bin(specRe, n), sIm = Bin(specIm, n);
        for (int m = 0; m < Bins; m++) { sRe[m] = target[m] * re[m]; sIm[m] = target[m] * im[m]; }
        sRe.CopyTo(Bin(projectedRe, n));
        sIm.CopyTo(Bin(projectedIm, n));
        var y = synthesis.AsSpan(Slot(n) * NFft, NFft);
        y.Clear();
        Synthesise(sRe, sIm, y, activeSum.AsSpan(LookAheadFrames * Hop, NFft));
    }

    /// <summary>One Griffin–Lim step for frame j at offset o in the window: analyse the current
    /// overlap-add, impose the target magnitude, resynthesise.</summary>
    void Refine(long j, int o)
    {
        int start = o * Hop;
        Analyse(activeSum.AsSpan(start, NFft), output.Pending[Math.Min(start, NFft - Hop)..],
                analysisWeight.AsSpan(o * NFft, NFft), frame);
        fft.Forward(frame, re, im);
        Project(re, im, Bin(magnitude, j), Bin(projectedRe, j), Bin(projectedIm, j),
                Bin(specRe, j), Bin(specIm, j), Momentum);
        Synthesise(Bin(specRe, j), Bin(specIm, j), synthesis.AsSpan(Slot(j) * NFft, NFft),
                   activeSum.AsSpan(start, NFft));
    }

    /// <summary>y ← w·IFFT(spec), and the active sum follows the change.</summary>
    void Synthesise(ReadOnlySpan<float> sRe, ReadOnlySpan<float> sIm, Span<float> y, Span<float> sum)
    {
        fft.Inverse(sRe, sIm, frame);
        var window = output.SynthesisWindow;
        var vf = MemoryMarshal.Cast<float, Vector<float>>(frame);
        var vw = MemoryMarshal.Cast<float, Vector<float>>(window);
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var vs = MemoryMarshal.Cast<float, Vector<float>>(sum);
        for (int i = 0; i < vf.Length; i++) { var v = vf[i] * vw[i]; vs[i] += v - vy[i]; vy[i] = v; }
        for (int i = vf.Length * Vector<float>.Count; i < frame.Length; i++)
        {
            float v = frame[i] * window[i];
            sum[i] += v - y[i];
            y[i] = v;
        }
    }

    /// <summary>frame = (sum + pending)·weight, with pending covering only its own length.</summary>
    static void Analyse(ReadOnlySpan<float> sum, ReadOnlySpan<float> pending, ReadOnlySpan<float> weight,
                        Span<float> frame)
    {
        int width = Vector<float>.Count, i = 0, split = pending.Length;
        for (; i <= split - width; i += width)
            ((new Vector<float>(sum[i..]) + new Vector<float>(pending[i..])) * new Vector<float>(weight[i..]))
                .CopyTo(frame[i..]);
        for (; i < split; i++) frame[i] = (sum[i] + pending[i]) * weight[i];
        for (; i <= sum.Length - width; i += width)
            (new Vector<float>(sum[i..]) * new Vector<float>(weight[i..])).CopyTo(frame[i..]);
        for (; i < sum.Length; i++) frame[i] = sum[i] * weight[i];
    }

    /// <summary>Projection onto the target magnitudes: c = s·X/|X| (the last projection where X ≈ 0),
    /// then the fast Griffin–Lim step spec = c + α(c − c_previous).</summary>
    static void Project(ReadOnlySpan<float> xRe, ReadOnlySpan<float> xIm, ReadOnlySpan<float> target,
                        Span<float> cRe, Span<float> cIm, Span<float> sRe, Span<float> sIm, float alpha)
    {
        int width = Vector<float>.Count, i = 0;
        var tiny = new Vector<float>(1e-30f);
        var va = new Vector<float>(alpha);
        for (; i <= target.Length - width; i += width)
        {
            var a = new Vector<float>(xRe[i..]); var b = new Vector<float>(xIm[i..]);
            var power = a * a + b * b;
            var keep = Vector.GreaterThan(power, tiny);
            var gain = new Vector<float>(target[i..]) / Vector.SquareRoot(Vector.Max(power, tiny));
            var oldRe = new Vector<float>(cRe[i..]); var oldIm = new Vector<float>(cIm[i..]);
            var pr = Vector.ConditionalSelect(keep, a * gain, oldRe);
            var pi = Vector.ConditionalSelect(keep, b * gain, oldIm);
            (pr + va * (pr - oldRe)).CopyTo(sRe[i..]); (pi + va * (pi - oldIm)).CopyTo(sIm[i..]);
            pr.CopyTo(cRe[i..]); pi.CopyTo(cIm[i..]);
        }
        for (; i < target.Length; i++)
        {
            float a = xRe[i], b = xIm[i], power = a * a + b * b;
            float pr = cRe[i], pi = cIm[i];
            if (power > 1e-30f) { float gain = target[i] / MathF.Sqrt(power); pr = a * gain; pi = b * gain; }
            sRe[i] = pr + alpha * (pr - cRe[i]); sIm[i] = pi + alpha * (pi - cIm[i]);
            cRe[i] = pr; cIm[i] = pi;
        }
    }

    /// <summary>X/|X|, and 1 where X = 0 (phase 0).</summary>
    static void UnitPhasors(ReadOnlySpan<float> xRe, ReadOnlySpan<float> xIm, Span<float> uRe, Span<float> uIm)
    {
        int width = Vector<float>.Count, m = 0;
        var tiny = new Vector<float>(1e-30f);
        for (; m <= xRe.Length - width; m += width)
        {
            var a = new Vector<float>(xRe[m..]); var b = new Vector<float>(xIm[m..]);
            var power = a * a + b * b;
            var keep = Vector.GreaterThan(power, tiny);
            var inv = Vector<float>.One / Vector.SquareRoot(Vector.Max(power, tiny));
            Vector.ConditionalSelect(keep, a * inv, Vector<float>.One).CopyTo(uRe[m..]);
            Vector.ConditionalSelect(keep, b * inv, Vector<float>.Zero).CopyTo(uIm[m..]);
        }
        for (; m < xRe.Length; m++)
        {
            float power = xRe[m] * xRe[m] + xIm[m] * xIm[m];
            if (power > 1e-30f) { float inv = 1 / MathF.Sqrt(power); uRe[m] = xRe[m] * inv; uIm[m] = xIm[m] * inv; }
            else { uRe[m] = 1; uIm[m] = 0; }
        }
    }

    static void Subtract(Span<float> a, ReadOnlySpan<float> b)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        for (int i = 0; i < va.Length; i++) va[i] -= vb[i];
        for (int i = va.Length * Vector<float>.Count; i < a.Length; i++) a[i] -= b[i];
    }
}
