namespace Distill.Runtime.Dsp;

/// <summary>
/// A voice's last filter before its audio leaves the engine: removes DC and infrasound, which the decoder's
/// lowest bins and phase reconstruction can leave and which would eat headroom and move speaker cones to no
/// audible end. A DC blocker y[n] = x[n] − x[n−1] + R·y[n−1] (corner <see cref="DcCornerHz"/>: exact zero at DC)
/// followed by a 2nd-order Butterworth high-pass at the corner (bilinear transform prewarped there, so it is
/// −3.01 dB exactly at the corner). State is double; <see cref="Process"/> allocates nothing and cannot throw
/// (real-time safe), and its output does not depend on how the signal is split into blocks.
/// </summary>
public sealed class OutputHighPass
{
    /// <summary>The DC blocker's (approximate, analogue-equivalent) corner.</summary>
    public const double DcCornerHz = 5;
    const double Tiny = 1e-30;

    readonly double sampleRate, r;
    Biquad butterworth;
    double x1, y1;

    /// <param name="cornerHz">The Butterworth's −3 dB point (10 Hz to 0.45 × the sample rate).</param>
    public OutputHighPass(double sampleRate, double cornerHz = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cornerHz);
        this.sampleRate = sampleRate;
        r = Math.Exp(-2 * Math.PI * DcCornerHz / sampleRate); // the pole of an analogue one-pole at 5 Hz
        butterworth = Biquad.HighPass(sampleRate, cornerHz, 1 / Math.Sqrt(2));
    }

    public double SampleRate => sampleRate;

    public void Reset()
    {
        x1 = y1 = 0;
        butterworth.Reset();
    }

    /// <summary>Filters <paramref name="samples"/> in place.</summary>
    public void Process(Span<float> samples)
    {
        double xPrev = x1, yPrev = y1;
        for (int i = 0; i < samples.Length; i++)
        {
            double x = samples[i], y = x - xPrev + r * yPrev;
            xPrev = x;
            yPrev = Math.Abs(y) < Tiny ? 0 : y; // per sample, not per block: output stays block-independent
            samples[i] = (float)butterworth.Process(yPrev);
            butterworth.FlushTiny();
        }
        x1 = xPrev; y1 = yPrev;
    }

    /// <summary>The cascade's analytic magnitude response at <paramref name="hz"/> (linear), from the transfer
    /// functions: (1 − z⁻¹)/(1 − R z⁻¹) times the biquad's.</summary>
    public double MagnitudeAt(double hz)
    {
        double w = 2 * Math.PI * hz / sampleRate;
        double s = Math.Sin(w / 2); // |1 − R e^−jω|² as (1 − R)² + 4R sin²(ω/2): no cancellation near DC
        double dc = 2 * Math.Abs(s) / Math.Sqrt((1 - r) * (1 - r) + 4 * r * s * s);
        return dc * butterworth.MagnitudeAt(sampleRate, hz);
    }
}
