namespace Distill.Runtime.Engine;

/// <summary>
/// Keeps a generated note within its anchor's level: it learns the level of the steps the note replays from its
/// anchor (the primed opening) and judges each generated step against them. A prior can fall into a quiet attractor —
/// once a few quiet codes are drawn, more quiet codes are the likeliest continuation, the more so at low temperatures —
/// or burst above the sound. Quiet is judged on short windows, since a hole of 50 ms is heard as a dropout however
/// loud the rest of its step is; loud on the step's mean power.
/// </summary>
public sealed class LevelGuard
{
    /// <summary>A window strays below when it is this far below the replayed windows' median (data.md counts a 50 ms
    /// frame 40 dB below the median as silent) and this far below the quietest of them (an anchor with gaps of its own
    /// may have gaps).</summary>
    public const double BelowMedianDb = 35, BelowQuietestDb = 10;

    /// <summary>How far above the loudest replayed step a generated step may rise.</summary>
    public const double AboveDb = 10;

    /// <summary>Frames per quiet window: about 50 ms at the model rate's hop.</summary>
    public const int WindowFrames = 4;

    static readonly double Above = Math.Pow(10, AboveDb / 10);
    readonly double[] learnt;   // window powers of the replayed steps
    int count;
    double floor, loudest;      // the quiet windows' threshold (NaN until judged), the loudest step's power

    /// <param name="windows">How many windows <see cref="Learn"/> may be given in all (the primed opening's).</param>
    public LevelGuard(int windows)
    {
        learnt = new double[windows];
        Reset();
    }

    public void Reset()
    {
        count = 0;
        floor = double.NaN;
        loudest = 0;
    }

    /// <summary>A step of the anchor itself: linear magnitude frames of <paramref name="bins"/> bins each.</summary>
    public void Learn(ReadOnlySpan<float> magnitudes, int bins)
    {
        int frames = magnitudes.Length / bins;
        for (int start = 0; start + WindowFrames <= frames && count < learnt.Length; start += WindowFrames)
            learnt[count++] = MeanPower(magnitudes.Slice(start * bins, WindowFrames * bins));
        loudest = Math.Max(loudest, MeanPower(magnitudes));
    }

    /// <summary>Whether a generated step (linear magnitude frames) has a window below the anchor's range or a mean
    /// power above it. Nothing strays before anything was learnt.</summary>
    public bool Strays(ReadOnlySpan<float> magnitudes, int bins)
    {
        if (count == 0) return false;
        if (double.IsNaN(floor))
        {
            // Learning is over (a note learns before it generates): the threshold is fixed once, in place.
            var windows = learnt.AsSpan(0, count);
            windows.Sort();
            double median = windows[count / 2], quietest = windows[0];
            floor = Math.Min(median * Math.Pow(10, -BelowMedianDb / 10), quietest * Math.Pow(10, -BelowQuietestDb / 10));
        }
        if (MeanPower(magnitudes) > loudest * Above) return true;
        int frames = magnitudes.Length / bins;
        for (int start = 0; start + WindowFrames <= frames; start += WindowFrames)
            if (MeanPower(magnitudes.Slice(start * bins, WindowFrames * bins)) < floor) return true;
        return false;
    }

    static double MeanPower(ReadOnlySpan<float> magnitudes)
    {
        double sum = 0;
        foreach (float m in magnitudes) sum += (double)m * m;
        return sum / magnitudes.Length;
    }
}
