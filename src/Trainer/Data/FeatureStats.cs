namespace Distill.Trainer.Data;

/// <summary>Scalar mean/std of the log features over the training split; the model sees
/// (x − mean)/std, and export keeps these numbers so inference normalises the same way.</summary>
public sealed record FeatureStats(float MelMean, float MelStd, float MagnitudeMean, float MagnitudeStd)
{
    public static FeatureStats Of(IEnumerable<CorpusClip> clips)
    {
        var clipList = clips.ToList();
        var (melMean, melStd) = MeanStd(clipList.SelectMany(c => c.LogMel.Select(v => (double)v)));
        var (magMean, magStd) = MeanStd(clipList.SelectMany(c => c.LogMagnitude.Select(v => (double)v)));
        return new FeatureStats((float)melMean, (float)melStd, (float)magMean, (float)magStd);
    }

    static (double Mean, double Std) MeanStd(IEnumerable<double> values)
    {
        double sum = 0, sumSq = 0; long n = 0;
        foreach (double v in values) { sum += v; sumSq += v * v; n++; }
        if (n == 0) return (0, 1);
        double mean = sum / n;
        return (mean, Math.Max(Math.Sqrt(Math.Max(sumSq / n - mean * mean, 0)), 1e-3));
    }
}
