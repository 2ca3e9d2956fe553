namespace Distill.Runtime.Demo;

/// <summary>RBJ-cookbook biquad (transposed direct form II), retunable per sample for sweeps.</summary>
public struct Biquad
{
    double b0, b1, b2, a1, a2, z1, z2;

    public static Biquad BandPass(double sampleRate, double hz, double q)
    {
        var f = new Biquad();
        f.SetBandPass(sampleRate, hz, q);
        return f;
    }

    public static Biquad LowPass(double sampleRate, double hz, double q)
    {
        var f = new Biquad();
        f.SetLowPass(sampleRate, hz, q);
        return f;
    }

    /// <summary>Constant 0 dB peak gain band-pass.</summary>
    public void SetBandPass(double sampleRate, double hz, double q)
    {
        double w = 2 * Math.PI * Math.Clamp(hz, 10, sampleRate * 0.45) / sampleRate,
               alpha = Math.Sin(w) / (2 * q), a0 = 1 + alpha;
        b0 = alpha / a0; b1 = 0; b2 = -alpha / a0; a1 = -2 * Math.Cos(w) / a0; a2 = (1 - alpha) / a0;
    }

    public void SetLowPass(double sampleRate, double hz, double q)
    {
        double w = 2 * Math.PI * Math.Clamp(hz, 10, sampleRate * 0.45) / sampleRate,
               alpha = Math.Sin(w) / (2 * q), c = Math.Cos(w), a0 = 1 + alpha;
        b0 = (1 - c) / 2 / a0; b1 = (1 - c) / a0; b2 = b0; a1 = -2 * c / a0; a2 = (1 - alpha) / a0;
    }

    public double Process(double x)
    {
        double y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        return y;
    }
}
