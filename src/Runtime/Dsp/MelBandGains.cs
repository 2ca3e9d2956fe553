namespace Distill.Runtime.Dsp;

/// <summary>
/// Linear gains per STFT bin from dB values given at the centres of mel bands (<see cref="MelFilterbank.BandEdges"/>):
/// interpolated linearly in frequency between neighbouring centres, held flat below the first centre and above the
/// last. A smooth equaliser curve drawn through the bands, for magnitudes before phase reconstruction. Allocates
/// nothing after construction.
/// </summary>
public sealed class MelBandGains
{
    public int Bands { get; }
    public int Bins { get; }
    readonly int[] lower;        // per bin: the band whose centre is at or below it (clamped)
    readonly float[] fraction;   // per bin: how far towards the next band's centre

    public MelBandGains(int sampleRate, int nFft, int mels, double fMin, double fMax)
    {
        var edges = MelFilterbank.BandEdges(mels, fMin, fMax);
        Bands = mels; Bins = nFft / 2 + 1;
        lower = new int[Bins];
        fraction = new float[Bins];
        for (int k = 0; k < Bins; k++)
        {
            double f = (double)k * sampleRate / nFft;
            int b = 0;
            while (b < Bands - 1 && edges[b + 2] <= f) b++;
            double from = edges[b + 1], to = b + 1 < Bands ? edges[b + 2] : from;
            lower[k] = b;
            fraction[k] = to > from ? (float)Math.Clamp((f - from) / (to - from), 0, 1) : 0;
        }
    }

    /// <summary>gains[k] = 10^(dB(f_k)/20), dB drawn through <paramref name="bandDb"/> at the band centres.</summary>
    public void Apply(ReadOnlySpan<double> bandDb, Span<float> gains)
    {
        if (bandDb.Length != Bands || gains.Length != Bins)
            throw new ArgumentException($"need {Bands} band values and {Bins} gains");
        for (int k = 0; k < Bins; k++)
        {
            int b = lower[k];
            double db = b + 1 < Bands ? bandDb[b] + fraction[k] * (bandDb[b + 1] - bandDb[b]) : bandDb[b];
            gains[k] = (float)Math.Pow(10, db / 20);
        }
    }

    /// <summary>frame ← frame·gains, scaled back to the frame's own power: a correction moves the spectrum's shape,
    /// never a frame's level. The power sums run in one order (not <c>TensorPrimitives</c>', whose vector width
    /// depends on the CPU and the compiler), so the plugins and the CLI agree to the bit.</summary>
    public static void Reshape(Span<float> frame, ReadOnlySpan<float> gains)
    {
        double before = 0, after = 0;
        for (int k = 0; k < frame.Length; k++)
        {
            before += frame[k] * frame[k];
            frame[k] *= gains[k];
            after += frame[k] * frame[k];
        }
        if (after > 0)
        {
            float scale = (float)Math.Sqrt(before / after);
            for (int k = 0; k < frame.Length; k++) frame[k] *= scale;
        }
    }
}
