namespace Distill.Runtime.Dsp;

/// <summary>
/// Triangular mel filters on the Slaney mel scale (linear below 1 kHz at 200/3 Hz per mel,
/// logarithmic above with ln(6.4)/27 per mel) with Slaney area normalisation (each filter scaled by
/// 2/(f_high − f_low)), as librosa's default, applied to a power spectrum.
/// </summary>
public sealed class MelFilterbank
{
    const double LinearHzPerMel = 200.0 / 3, BreakHz = 1000, BreakMel = BreakHz / LinearHzPerMel;
    static readonly double LogStep = Math.Log(6.4) / 27;

    public int Mels { get; }
    public int Bins { get; }
    /// <summary>Band edges in Hz: band m spans [Edges[m], Edges[m+2]] and peaks at Edges[m+1].</summary>
    public double[] Edges { get; }
    readonly float[] weights; // [mel · bins + bin]
    readonly int[] firstBin, lastBin;

    public static double HzToMel(double hz) =>
        hz < BreakHz ? hz / LinearHzPerMel : BreakMel + Math.Log(hz / BreakHz) / LogStep;
    public static double MelToHz(double mel) =>
        mel < BreakMel ? mel * LinearHzPerMel : BreakHz * Math.Exp(LogStep * (mel - BreakMel));

    public MelFilterbank(int sampleRate, int nFft, int mels, double fMin, double fMax)
    {
        Mels = mels; Bins = nFft / 2 + 1;
        Edges = BandEdges(mels, fMin, fMax);
        weights = new float[mels * Bins];
        firstBin = new int[mels];
        lastBin = new int[mels];
        for (int m = 0; m < mels; m++)
        {
            double left = Edges[m], centre = Edges[m + 1], right = Edges[m + 2], scale = 2 / (right - left);
            firstBin[m] = Bins; lastBin[m] = -1;
            for (int k = 0; k < Bins; k++)
            {
                double f = (double)k * sampleRate / nFft;
                double w = Math.Max(0, Math.Min((f - left) / (centre - left), (right - f) / (right - centre)));
                if (w <= 0) continue;
                weights[m * Bins + k] = (float)(w * scale);
                firstBin[m] = Math.Min(firstBin[m], k);
                lastBin[m] = k;
            }
        }
    }

    /// <summary>The <see cref="Edges"/> of <paramref name="mels"/> bands from <paramref name="fMin"/> to
    /// <paramref name="fMax"/> Hz, equally spaced in mel.</summary>
    public static double[] BandEdges(int mels, double fMin, double fMax)
    {
        double lo = HzToMel(fMin), hi = HzToMel(fMax);
        return Enumerable.Range(0, mels + 2).Select(i => MelToHz(lo + (hi - lo) * i / (mels + 1))).ToArray();
    }

    public float Weight(int mel, int bin) => weights[mel * Bins + bin];

    /// <summary>mel[m] = Σ_k W[m,k]·power[k], for one frame.</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> mel)
    {
        for (int m = 0; m < Mels; m++)
        {
            double sum = 0;
            for (int k = firstBin[m]; k <= lastBin[m]; k++) sum += weights[m * Bins + k] * power[k];
            mel[m] = (float)sum;
        }
    }
}
