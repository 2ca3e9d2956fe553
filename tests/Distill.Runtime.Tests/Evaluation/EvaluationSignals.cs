namespace Distill.Tests.Evaluation;

/// <summary>Closed-form and seeded test signals at 48 kHz for the sound-quality measures.</summary>
static class EvaluationSignals
{
    public const int Rate = 48000;

    public static float[] Sine(double hz, double seconds, double amplitude = 0.5) =>
        Enumerable.Range(0, (int)(seconds * Rate))
                  .Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate))).ToArray();

    /// <summary>Uniform noise in ±<paramref name="amplitude"/>, the same for a seed.</summary>
    public static float[] Noise(double seconds, double amplitude, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, (int)(seconds * Rate))
                         .Select(_ => (float)(amplitude * (2 * random.NextDouble() - 1))).ToArray();
    }

    /// <summary>Two tones that fade in and out at different times: an energy curve to align on, and a spectrum that
    /// does not depend on where a frame starts.</summary>
    public static float[] TwoTones(double seconds)
    {
        var x = new float[(int)(seconds * Rate)];
        for (int i = 0; i < x.Length; i++)
        {
            double t = (double)i / Rate;
            x[i] = (float)(0.3 * Gate(t, 0.3, 1.2) * Math.Sin(2 * Math.PI * 220 * t)
                           + 0.2 * Gate(t, 0.9, 2.4) * Math.Sin(2 * Math.PI * 1500 * t));
        }
        return x;
    }

    /// <summary>1 between <paramref name="on"/> and <paramref name="off"/> with 50 ms raised-cosine ramps.</summary>
    static double Gate(double t, double on, double off)
    {
        const double Ramp = 0.05;
        double Rise(double u) => u <= 0 ? 0 : u >= Ramp ? 1 : 0.5 - 0.5 * Math.Cos(Math.PI * u / Ramp);
        return Rise(t - on) * Rise(off - t);
    }

    /// <summary><paramref name="x"/> delayed by <paramref name="samples"/>, same length.</summary>
    public static float[] Delayed(float[] x, int samples) => [.. new float[samples], .. x[..^samples]];

    public static float[] Scaled(float[] x, float gain) => Array.ConvertAll(x, v => v * gain);
}
