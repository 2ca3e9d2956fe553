namespace Distill.Runtime.Evaluation;

/// <summary>The sample-domain sound-quality measures of data.md: level, crest factor, DC and clipping.</summary>
public static class SampleMeasures
{
    public static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return x.Length == 0 ? 0 : Math.Sqrt(sum / x.Length);
    }

    public static double Peak(ReadOnlySpan<float> x)
    {
        double peak = 0;
        foreach (float v in x) peak = Math.Max(peak, Math.Abs(v));
        return peak;
    }

    /// <summary>RMS of <paramref name="rendered"/> over RMS of <paramref name="original"/>, in dB.</summary>
    public static double LevelErrorDb(ReadOnlySpan<float> original, ReadOnlySpan<float> rendered) =>
        20 * Math.Log10(Rms(rendered) / Rms(original));

    /// <summary>Peak over RMS in dB (a sine's is 3.01 dB).</summary>
    public static double CrestFactorDb(ReadOnlySpan<float> x) => 20 * Math.Log10(Peak(x) / Rms(x));

    /// <summary>The largest |mean| over consecutive whole windows of <paramref name="window"/> samples (the whole
    /// clip when shorter than one): an offset that drifts is caught where it is largest.</summary>
    public static double LargestDcOffset(ReadOnlySpan<float> x, int window)
    {
        if (x.Length < window) return Math.Abs(Mean(x));
        double largest = 0;
        for (int start = 0; start + window <= x.Length; start += window)
            largest = Math.Max(largest, Math.Abs(Mean(x.Slice(start, window))));
        return largest;
    }

    static double Mean(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += v;
        return x.Length == 0 ? 0 : sum / x.Length;
    }

    /// <summary>Samples at full scale or beyond (|x| ≥ 1).</summary>
    public static int ClippedSamples(ReadOnlySpan<float> x)
    {
        int count = 0;
        foreach (float v in x) if (Math.Abs(v) >= 1) count++;
        return count;
    }
}
