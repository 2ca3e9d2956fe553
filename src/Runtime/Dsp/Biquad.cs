namespace Distill.Runtime.Dsp;

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

    public static Biquad HighPass(double sampleRate, double hz, double q)
    {
        var f = new Biquad();
        f.SetHighPass(sampleRate, hz, q);
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

    /// <summary>Bilinear transform prewarped at <paramref name="hz"/>: with q = 1/√2 a Butterworth high-pass,
    /// exactly −3.01 dB at <paramref name="hz"/>.</summary>
    public void SetHighPass(double sampleRate, double hz, double q)
    {
        double w = 2 * Math.PI * Math.Clamp(hz, 10, sampleRate * 0.45) / sampleRate,
               alpha = Math.Sin(w) / (2 * q), c = Math.Cos(w), a0 = 1 + alpha;
        b0 = (1 + c) / 2 / a0; b1 = -(1 + c) / a0; b2 = b0; a1 = -2 * c / a0; a2 = (1 - alpha) / a0;
    }

    /// <summary>|H(e^jω)| at <paramref name="hz"/>, from the coefficients (state is not touched).</summary>
    public readonly double MagnitudeAt(double sampleRate, double hz)
    {
        double w = 2 * Math.PI * hz / sampleRate, c1 = Math.Cos(w), s1 = Math.Sin(w), c2 = Math.Cos(2 * w),
               s2 = Math.Sin(2 * w);
        double numRe = b0 + b1 * c1 + b2 * c2, numIm = b1 * s1 + b2 * s2,
               denRe = 1 + a1 * c1 + a2 * c2, denIm = a1 * s1 + a2 * s2;
        return Math.Sqrt((numRe * numRe + numIm * numIm) / (denRe * denRe + denIm * denIm));
    }

    public void Reset() => z1 = z2 = 0;

    /// <summary>Zeroes state that has decayed below 1e-30, so long silences never reach (slow) subnormals.</summary>
    public void FlushTiny()
    {
        if (Math.Abs(z1) < 1e-30) z1 = 0;
        if (Math.Abs(z2) < 1e-30) z2 = 0;
    }

    public double Process(double x)
    {
        double y = b0 * x + z1;
        z1 = b1 * x - a1 * y + z2;
        z2 = b2 * x - a2 * y;
        return y;
    }
}
