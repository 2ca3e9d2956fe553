namespace Distill.Runtime.Dsp;

/// <summary>
/// The output's last stage: a peak limiter with instant attack and a smooth release, so nothing leaves the
/// instrument above <see cref="Ceiling"/> (−1 dBFS) and nothing at or below it is touched. The envelope follows
/// |x| up at once and decays exponentially; the gain is Ceiling / envelope where the envelope exceeds the ceiling,
/// else exactly 1. Without look-ahead there is no latency; the price is a gain step on the sample that first
/// goes over, which the release then smooths (loud chords are turned down, not clipped).
/// </summary>
public sealed class SafetyLimiter
{
    /// <summary>−1 dBFS.</summary>
    public static readonly float Ceiling = MathF.Pow(10, -1f / 20);
    /// <summary>Time for the envelope to fall by 60 dB.</summary>
    public const double ReleaseSeconds = 0.25;

    float envelope, decay = 0.9999f;

    /// <summary>Sets the release for a sample rate (main thread) and clears the envelope.</summary>
    public void Prepare(double sampleRate)
    {
        decay = (float)Math.Pow(1e-3, 1 / (ReleaseSeconds * sampleRate));
        envelope = 0;
    }

    public void Reset() => envelope = 0;

    /// <summary>Limits <paramref name="samples"/> in place (audio thread: no allocation).</summary>
    public void Process(Span<float> samples)
    {
        float env = envelope;
        for (int i = 0; i < samples.Length; i++)
        {
            float x = samples[i], a = MathF.Abs(x);
            env = MathF.Max(a, env * decay);
            if (env > Ceiling) samples[i] = Math.Clamp(x * (Ceiling / env), -Ceiling, Ceiling);
        }
        envelope = env < 1e-20f ? 0 : env; // no denormals while silent
    }
}
