namespace Distill.Tests;

public static class SignalLevel
{
    public static double Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return x.Length == 0 ? 0 : Math.Sqrt(sum / x.Length);
    }
}
