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

    /// <summary>The lag within ±<paramref name="maxLag"/> frames at which the two frame-energy curves correlate
    /// best (Pearson correlation over the overlap, so a lag is not favoured for overlapping more); the smallest
    /// |lag| wins ties, so flat curves (nothing to align on) stay at lag 0.</summary>
    public static FrameAlignment Best(ReadOnlySpan<double> originalEnergy, ReadOnlySpan<double> renderedEnergy,
                                      int maxLag)
    {
        var best = At(0, originalEnergy.Length, renderedEnergy.Length);
        double bestCorrelation = Correlation(originalEnergy, renderedEnergy, best);
        for (int distance = 1; distance <= maxLag; distance++)
            foreach (int lag in (ReadOnlySpan<int>)[-distance, distance])
            {
                var candidate = At(lag, originalEnergy.Length, renderedEnergy.Length);
                // Too few frames in common make any correlation chance.
                if (candidate.Count < Math.Max(2, best.Count / 2)) continue;
                double correlation = Correlation(originalEnergy, renderedEnergy, candidate);
                if (correlation > bestCorrelation + 1e-12) (best, bestCorrelation) = (candidate, correlation);
            }
        return best;
    }

    /// <summary>Pearson correlation of the aligned frames; 0 when either is constant.</summary>
    static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b, FrameAlignment at)
    {
        if (at.Count < 2) return 0;
        var x = a.Slice(at.OriginalStart, at.Count);
        var y = b.Slice(at.RenderedStart, at.Count);
        double meanX = 0, meanY = 0;
        for (int i = 0; i < x.Length; i++) { meanX += x[i]; meanY += y[i]; }
        meanX /= x.Length; meanY /= y.Length;
        double xy = 0, xx = 0, yy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - meanX, dy = y[i] - meanY;
            xy += dx * dy; xx += dx * dx; yy += dy * dy;
        }
        return xx > 0 && yy > 0 ? xy / Math.Sqrt(xx * yy) : 0;
    }
}
