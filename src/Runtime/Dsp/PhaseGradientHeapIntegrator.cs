
namespace Distill.Runtime.Dsp;

/// <summary>
/// Real-time phase-gradient heap integration (RTPGHI; Průša &amp; Søndergaard, DAFx-16; Průša et al.,
/// IEEE TASLP 2017): the phase of one STFT frame from the phase of the frame before and the
/// log-magnitudes around it. For a Hann window of length L, γ = 0.25645·L², and with hop a and
/// M = n_fft bins the phase gradient follows from log-magnitude differences:
///   advance per hop at bin m:    (a·M/γ)·∂_m log s + 2π·a·m/M   (instantaneous frequency)
///   step per bin in one frame:  −(γ/(a·M))·∂_n log s            (local group delay)
/// Starting from the largest magnitude, a max-priority queue spreads phase from the previous frame
/// forward in time and then across bins, each step by the trapezoid rule; coefficients below a
/// tolerance relative to the frame's peak are skipped (phase 0). ∂_n is a centred difference, so
/// the next frame's magnitudes are needed (one frame of look-ahead, which the papers find close to
/// offline PGHI). Phases travel as unit phasors, so integration is complex rotation with all sines
/// and cosines taken in vector batches. Phases are in <see cref="Stft"/>'s convention. Allocates
/// nothing after construction.
/// </summary>
public sealed class PhaseGradientHeapIntegrator
{
    /// <summary>Magnitudes at or below this count as silence (log floor).</summary>
    public const float MagnitudeFloor = 1e-9f;
    /// <summary>Priority levels between the loudest coefficient and the tolerance (~0.1 dB apart at 1e-6).</summary>
    const int QueueBuckets = 1024;
    public int NFft { get; }
    public int Hop { get; }
    public int Bins => NFft / 2 + 1;
    public double RelativeTolerance { get; }

    readonly float timeScale, frequencyScale;      // a·M/γ and γ/(a·M)
    readonly float logTolerance;
    readonly float[] binAdvance;                   // 2π·a·m/M mod 2π: a sinusoid at the bin centre
    readonly float[] angle, sin, cos;              // rotation angles, then their sines and cosines
    readonly float[] re, im;                       // phasors of frame n
    readonly bool[] pending;                       // bin of frame n still needs a phase
    readonly BucketQueue queue;

    public PhaseGradientHeapIntegrator(int nFft, int hop, double relativeTolerance = 1e-6)
    {
        NFft = nFft; Hop = hop; RelativeTolerance = relativeTolerance;
        double gamma = 0.25645 * nFft * nFft;
        timeScale = (float)(hop * (double)nFft / gamma);
        frequencyScale = (float)(gamma / (hop * (double)nFft));
        logTolerance = (float)Math.Log(relativeTolerance);
        int bins = Bins, padded = 2 * bins;
        binAdvance = new float[bins];
        for (int m = 0; m < bins; m++)
            binAdvance[m] = (float)Math.IEEERemainder(2 * Math.PI * hop * m / nFft, 2 * Math.PI);
        angle = new float[padded];
        sin = new float[padded];
        cos = new float[padded];
        re = new float[bins];
        im = new float[bins];
        pending = new bool[bins];
        queue = new BucketQueue(2 * bins, QueueBuckets);
    }

    public static float LogMagnitude(float magnitude)
    {
        Span<float> one = [MathF.Max(magnitude, MagnitudeFloor)];
        PortableMath.Log(one, one);
        return one[0];
    }

    /// <summary>Natural-log magnitudes with the silence floor (<see cref="LogMagnitude"/>, the same bits), four
    /// lanes at a time by <see cref="PortableMath"/>: the plugins (NativeAOT) and the CLI (JIT) must agree to the
    /// bit.</summary>
    public static void LogMagnitudes(ReadOnlySpan<float> magnitude, Span<float> result)
    {
        for (int i = 0; i < magnitude.Length; i++) result[i] = MathF.Max(magnitude[i], MagnitudeFloor);
        PortableMath.Log(result[..magnitude.Length], result);
    }

    /// <summary>Phase of frame n as unit phasors (re, im), from the phase of frame n−1 as unit phasors
    /// and the log-magnitudes (<see cref="LogMagnitude"/>) of frames n−1, n and n+1.</summary>
    public void Integrate(ReadOnlySpan<float> logPrevious, ReadOnlySpan<float> logCurrent, ReadOnlySpan<float> logNext,
                          ReadOnlySpan<float> previousRe, ReadOnlySpan<float> previousIm,
                          Span<float> currentRe, Span<float> currentIm)
    {
        int bins = Bins;
        Rotations(logPrevious, logCurrent, logNext);

        float peak = float.MinValue, previousPeak = float.MinValue;
        for (int m = 0; m < bins; m++)
        {
            peak = MathF.Max(peak, logCurrent[m]);
            previousPeak = MathF.Max(previousPeak, logPrevious[m]);
        }
        float threshold = MathF.Max(peak + logTolerance, LogMagnitude(MagnitudeFloor));
        int remaining = 0;
        queue.Clear(MathF.Max(peak, previousPeak), threshold);
        for (int m = 0; m < bins; m++)
        {
            pending[m] = logCurrent[m] > threshold;
            re[m] = 1; im[m] = 0;
            if (!pending[m]) continue;
            remaining++;
            queue.Push(logPrevious[m], m + bins); // codes ≥ bins are frame n−1
        }

        while (remaining > 0)
        {
            while (queue.Count > 0)
            {
                int code = queue.Pop();
                if (code >= bins)
                {
                    int m = code - bins;
                    if (!pending[m]) continue;
                    // Forward in time: rotate the previous phasor by the trapezoid of the two advances.
                    float c = cos[m], s = sin[m], pr = previousRe[m], pi = previousIm[m];
                    re[m] = pr * c - pi * s; im[m] = pr * s + pi * c;
                    pending[m] = false; remaining--;
                    queue.Push(logCurrent[m], m);
                }
                else
                {
                    // Across bins: rotation bins + m takes bin m to m + 1; its conjugate goes back.
                    int up = code + 1, down = code - 1;
                    if (up < bins && pending[up])
                        Spread(code, up, cos[bins + code], sin[bins + code], logCurrent, ref remaining);
                    if (down >= 0 && pending[down])
                        Spread(code, down, cos[bins + down], -sin[bins + down], logCurrent, ref remaining);
                }
            }
            if (remaining == 0) break;
            // An island not reached from the previous frame: start it at its own peak with phase 0.
            int start = -1;
            for (int m = 0; m < bins; m++)
                if (pending[m] && (start < 0 || logCurrent[m] > logCurrent[start])) start = m;
            pending[start] = false; remaining--;
            queue.Push(logCurrent[start], start);
        }
        re.CopyTo(currentRe);
        im.CopyTo(currentIm);
    }

    void Spread(int from, int to, float c, float s, ReadOnlySpan<float> logCurrent, ref int remaining)
    {
        float fr = re[from], fi = im[from];
        re[to] = fr * c - fi * s; im[to] = fr * s + fi * c;
        pending[to] = false; remaining--;
        queue.Push(logCurrent[to], to);
    }

    /// <summary>Sines and cosines of every rotation the integration may use: [0, bins) forward in time
    /// per bin, [bins, 2·bins − 1) from bin m to m + 1.</summary>
    void Rotations(ReadOnlySpan<float> logPrevious, ReadOnlySpan<float> logCurrent, ReadOnlySpan<float> logNext)
    {
        int bins = Bins, last = bins - 1;
        // Advance per hop: bin frequency plus the offset read from the log-magnitude slope across bins
        // (centred differences; the spectrum is even about 0 and N/2, so the slope there is 0).
        float timeHalf = 0.25f * timeScale; // ½ of the trapezoid times ½ of the centred difference
        angle[0] = binAdvance[0];
        angle[last] = binAdvance[last];
        for (int m = 1; m < last; m++)
            angle[m] = binAdvance[m]
                + timeHalf * (logPrevious[m + 1] - logPrevious[m - 1] + logCurrent[m + 1] - logCurrent[m - 1]);
        // Step per bin: local group delay from the centred time difference, trapezoid between bins;
        // Stft's frames start N/2 before their centre, which adds half a turn per bin (e^(−iπm)).
        float frequencyQuarter = -0.25f * frequencyScale;
        for (int m = 0; m < last; m++)
            angle[bins + m] = frequencyQuarter * (logNext[m] - logPrevious[m] + logNext[m + 1] - logPrevious[m + 1])
                + MathF.PI;
        int count = 2 * bins - 1;
        PortableMath.SinCos(angle.AsSpan(0, count), sin, cos);
    }

    /// <summary>Max-priority queue over keys quantised into buckets (a bucket queue): push and pop
    /// cost O(1) plus a scan over empty buckets, with no data-dependent branches of a binary heap's
    /// depth; keys closer than the bucket width come out last-in first-out.</summary>
    sealed class BucketQueue(int codes, int buckets)
    {
        readonly int[] head = new int[buckets];     // most recent code in each bucket, −1 = none
        readonly int[] next = new int[codes];       // the code pushed before it into the same bucket
        float top, scale;
        int highest;                                // no non-empty bucket above this one
        public int Count { get; private set; }

        /// <summary>Empties the queue and spreads the buckets over keys [low, high].</summary>
        public void Clear(float high, float low)
        {
            Array.Fill(head, -1);
            top = high;
            scale = high > low ? (buckets - 1) / (high - low) : 0;
            highest = buckets - 1;
            Count = 0;
        }

        public void Push(float key, int code)
        {
            int b = Math.Clamp((int)((top - key) * scale), 0, buckets - 1);
            next[code] = head[b];
            head[b] = code;
            highest = Math.Min(highest, b);
            Count++;
        }

        public int Pop()
        {
            while (head[highest] < 0) highest++;
            int code = head[highest];
            head[highest] = next[code];
            Count--;
            return code;
        }
    }
}
