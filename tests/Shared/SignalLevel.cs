namespace Distill.Tests;

/// <summary>Signal levels the tests assert on, computed one way for every project.</summary>
public static class SignalLevel
{
    /// <summary>Root mean square, in double precision; 0 for an empty signal.</summary>
    public static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return x.Length == 0 ? 0 : Math.Sqrt(sum / x.Length);
    }
}
