namespace Distill.Runtime.Evaluation;

/// <summary>
/// Which frames of two clips to compare: original frame t against rendered frame t + <see cref="Lag"/>, for the
/// <see cref="Count"/> frames both clips have.
/// </summary>
public readonly record struct FrameAlignment(int Lag, int OriginalStart, int Count)
{
    public int RenderedStart => OriginalStart + Lag;

    /// <summary>Frames compared at <paramref name="lag"/>.</summary>
    public static FrameAlignment At(int lag, int originalFrames, int renderedFrames)
    {
        int start = Math.Max(0, -lag), end = Math.Min(originalFrames, renderedFrames - lag);
        return new FrameAlignment(lag, start, Math.Max(0, end - start));
    }

    /// <summary>The lag within ±<paramref name="maxLag"/> frames at which the two frame-energy curves
    /// cross-correlate best: each curve less its own mean over the whole clip, the products summed over the overlap.
    /// Centring and scaling over the whole curves, not over each overlap, is what keeps a decay aligned: any two
    /// stretches of a steady decay correlate perfectly, so a per-overlap score slid a struck sound's replay onto its
    /// own tail. The smallest |lag| wins ties, so flat curves (nothing to align on) stay at lag 0.</summary>
    public static FrameAlignment Best(ReadOnlySpan<double> originalEnergy, ReadOnlySpan<double> renderedEnergy,
                                      int maxLag)
    {
        var x = Centred(originalEnergy, out double normX);
        var y = Centred(renderedEnergy, out double normY);
        var best = At(0, x.Length, y.Length);
        if (normX == 0 || normY == 0) return best;
        double bestScore = Overlap(x, y, best);
        for (int distance = 1; distance <= maxLag; distance++)
            foreach (int lag in (ReadOnlySpan<int>)[-distance, distance])
            {
                var candidate = At(lag, x.Length, y.Length);
                double score = Overlap(x, y, candidate);
                if (score > bestScore + 1e-9 * normX * normY) (best, bestScore) = (candidate, score);
            }
        return best;
    }

    static double[] Centred(ReadOnlySpan<double> curve, out double norm)
    {
        double mean = 0;
        foreach (double v in curve) mean += v;
        mean /= Math.Max(1, curve.Length);
        var centred = new double[curve.Length];
        double sumSquares = 0;
        for (int i = 0; i < centred.Length; i++)
        {
            centred[i] = curve[i] - mean;
            sumSquares += centred[i] * centred[i];
        }
        norm = Math.Sqrt(sumSquares);
        return centred;
    }

    static double Overlap(double[] x, double[] y, FrameAlignment at)
    {
        double sum = 0;
        for (int i = 0; i < at.Count; i++) sum += x[at.OriginalStart + i] * y[at.RenderedStart + i];
        return sum;
    }
}
