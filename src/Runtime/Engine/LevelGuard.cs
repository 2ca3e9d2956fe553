namespace Distill.Runtime.Engine;

/// <summary>
/// Keeps a generated note within its anchor's level: it learns the power of the steps the note replays from its
/// anchor (the primed opening) and judges each generated step against that range. A prior can fall into a quiet
/// attractor — once a few quiet codes are drawn, more quiet codes are the likeliest continuation, the more so at low
/// temperatures — or burst above the sound; a step that strays sends the note back to its anchor's own codes for a
/// moment, which gives the prior real context to continue from.
/// </summary>
public sealed class LevelGuard
{
    /// <summary>How far below the quietest replayed step a generated step may fall (a silence hole is 40 dB below the
    /// sound's median level), and how far above the loudest it may rise.</summary>
    public const double BelowDb = 30, AboveDb = 10;

    /// <summary>Steps of the anchor's own codes after a step strays.</summary>
    public const int RecoverySteps = 2;

    static readonly double Below = Math.Pow(10, -BelowDb / 10), Above = Math.Pow(10, AboveDb / 10);
    double quietest, loudest;

    public LevelGuard() => Reset();

    public void Reset()
    {
        quietest = double.PositiveInfinity;
        loudest = 0;
    }

    /// <summary>A step of the anchor itself, of mean power <paramref name="power"/>.</summary>
    public void Learn(double power)
    {
        quietest = Math.Min(quietest, power);
        loudest = Math.Max(loudest, power);
    }

    /// <summary>Whether a generated step of mean power <paramref name="power"/> left the anchor's range.</summary>
    public bool Strays(double power) =>
        loudest > 0 && (power < quietest * Below || power > loudest * Above);
}
