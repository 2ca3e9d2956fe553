namespace Distill.Runtime.Dsp;

public static class Window
{
    /// <summary>Periodic Hann (w[n] = 0.5 − 0.5·cos(2πn/N)): overlap-adds to a constant at hop N/4.</summary>
    public static double[] Hann(int length)
    {
        var w = new double[length];
        for (int n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / length);
        return w;
    }

    /// <summary>Kaiser window of the given length and shape β (symmetric).</summary>
    public static double[] Kaiser(int length, double beta)
    {
        var w = new double[length];
        double denominator = BesselI0(beta);
        for (int n = 0; n < length; n++) w[n] = KaiserAt(n, length, beta) / denominator;
        return w;
    }

    /// <summary>The Kaiser window of <paramref name="length"/> at any position 0 ≤ n ≤ length − 1, not yet
    /// divided by I0(β): for windows too long to tabulate.</summary>
    public static double KaiserAt(double n, long length, double beta)
    {
        double r = length == 1 ? 0 : 2.0 * n / (length - 1) - 1;
        return BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r)));
    }

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series.</summary>
    public static double BesselI0(double x)
    {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++)
        {
            term *= q / ((double)k * k);
            sum += term;
        }
        return sum;
    }
}
