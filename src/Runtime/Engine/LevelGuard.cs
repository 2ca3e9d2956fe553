namespace Distill.Runtime.Engine;

/// <summary>
/// Keeps a generated note within its anchor's level: it learns the level of the steps the note replays from its
/// anchor (the primed opening) and judges each generated step against them. A prior can fall into a quiet attractor —
/// once a few quiet codes are drawn, more quiet codes are the likeliest continuation, the more so at low temperatures —
/// or burst above the sound. Quiet is judged on short windows, since a hole of 50 ms is heard as a dropout however
/// loud the rest of its step is; loud on the step's mean power. A sound with gaps of its own (bubbles between their
/// events) may have quiet windows, but no run of them longer than its opening's longest: a prior that knows the gaps
/// otherwise strings them together at low temperature. Nor may the last second heard sink below a floor the caller
/// gives (its clip's quietest second, less what the output's level keeper can lift): a one-shot's decay strung to its
/// next attack through a second of near silence is a lull the sound never has.
/// </summary>
public sealed class LevelGuard
{
    /// <summary>A window strays below when it is this far below the replayed windows' median (data.md counts a 50 ms
    /// frame 40 dB below the median as silent) and this far below the quietest of them (an anchor with gaps of its own
    /// may have gaps).</summary>
    public const double BelowMedianDb = 35, BelowQuietestDb = 10;

    /// <summary>A window is quiet, for the runs of quiet windows an anchor may have, this far below the replayed windows'
    /// median: nearer than the stray threshold, since the magnitudes' windows overlap their neighbours and a dip comes
    /// out of phase reconstruction deeper than they show it (at 35 dB the demo world's bells kept dips 40 dB below their
    /// original's median 50 ms level).</summary>
    public const double QuietBelowMedianDb = 30;

    /// <summary>How far above the loudest replayed step a generated step may rise.</summary>
    public const double AboveDb = 10;

    /// <summary>Frames per quiet window: about 50 ms at the model rate's hop.</summary>
    public const int WindowFrames = 4;

    static readonly double Above = Math.Pow(10, AboveDb / 10);
    readonly double[] learnt;   // window powers of the replayed steps, in time order
    readonly double[] sorted;   // the same, sorted once learning is over
    readonly double[] heard;    // window powers of the last second heard, a ring
    readonly double[] judged;   // window powers of the step last judged (a step has no more than the opening)
    int count, judgedCount, learntSteps;
    long heardCount;
    double floor, quiet, loudest; // thresholds of a stray and of a quiet window (NaN until judged), the loudest step
    int longestQuietRun, quietRun; // the opening's longest run of quiet windows, the run heard up to now
    int judgedRun;                 // the run as it would be after the step last judged

    /// <param name="windows">How many windows <see cref="Learn"/> may be given in all (the primed opening's).</param>
    /// <param name="secondWindows">Windows in a second.</param>
    public LevelGuard(int windows, int secondWindows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(secondWindows);
        learnt = new double[windows];
        sorted = new double[windows];
        heard = new double[secondWindows];
        judged = new double[windows];
        Reset();
    }

    public void Reset()
    {
        count = judgedCount = learntSteps = LoudestLearnt = 0;
        SecondTooQuiet = false;
        heardCount = 0;
        floor = quiet = double.NaN;
        loudest = 0;
        longestQuietRun = quietRun = judgedRun = 0;
    }

    /// <summary>Which of the steps given to <see cref="Learn"/> and <see cref="LearnLoudness"/> was the loudest (0: the
    /// first).</summary>
    public int LoudestLearnt { get; private set; }

    /// <summary>Whether the step last judged would leave the last second heard below the floor given: a lull, which
    /// the anchor's loudest step ends, where the anchor's own step at that time may be as quiet.</summary>
    public bool SecondTooQuiet { get; private set; }

    /// <summary>A step of the anchor whose loudness counts but whose windows do not: the decoder's first step from
    /// silence, quieter than the sound where it is a texture, yet where a one-shot strikes. Without it a one-shot's
    /// strike would stray as a burst above its own decay, and a lull would be broken by a step of that decay.</summary>
    public void LearnLoudness(ReadOnlySpan<float> magnitudes)
    {
        double stepPower = MeanPower(magnitudes);
        if (stepPower > loudest) (loudest, LoudestLearnt) = (stepPower, learntSteps);
        learntSteps++;
    }

    /// <summary>A step of the anchor itself: linear magnitude frames of <paramref name="bins"/> bins each.</summary>
    public void Learn(ReadOnlySpan<float> magnitudes, int bins)
    {
        int frames = magnitudes.Length / bins;
        for (int start = 0; start + WindowFrames <= frames && count < learnt.Length; start += WindowFrames)
        {
            double power = MeanPower(magnitudes.Slice(start * bins, WindowFrames * bins));
            learnt[count++] = power;
            heard[heardCount++ % heard.Length] = power;
        }
        LearnLoudness(magnitudes);
    }

    /// <summary>Whether a generated step (linear magnitude frames) has a window below the anchor's range, a run of quiet
    /// windows longer than the anchor's own, a last second below <paramref name="secondFloor"/>, or a mean power above
    /// its range. Nothing strays before anything was learnt. The step heard after judging is told by
    /// <see cref="KeepJudged"/> (this one) or <see cref="Keep"/> (its replacement), which carries the quiet run and the
    /// last second on.</summary>
    /// <param name="secondFloor">The least mean window power the last second heard, this step included, may have
    /// (0: none).</param>
    public bool Strays(ReadOnlySpan<float> magnitudes, int bins, double secondFloor = 0)
    {
        judgedRun = quietRun;
        judgedCount = 0;
        SecondTooQuiet = false;
        if (count == 0) return false;
        if (double.IsNaN(floor)) FixThresholds();
        bool strays = MeanPower(magnitudes) > loudest * Above;
        int frames = magnitudes.Length / bins;
        for (int start = 0; start + WindowFrames <= frames && judgedCount < judged.Length; start += WindowFrames)
        {
            double power = judged[judgedCount++] = MeanPower(magnitudes.Slice(start * bins, WindowFrames * bins));
            judgedRun = power < quiet ? judgedRun + 1 : 0;
            strays |= power < floor || judgedRun > longestQuietRun;
        }
        SecondTooQuiet = LastSecondWithJudged() < secondFloor;
        return strays || SecondTooQuiet;
    }

    /// <summary>The mean window power of the last second heard (NaN before anything was).</summary>
    public double HeardSecondPower
    {
        get
        {
            int windows = (int)Math.Min(heardCount, heard.Length);
            return AddHeard(0, windows) / windows;
        }
    }

    /// <summary>The mean window power of the last second heard if the step last judged were heard next.</summary>
    double LastSecondWithJudged()
    {
        int fromJudged = Math.Min(judgedCount, heard.Length);
        int fromHeard = (int)Math.Min(heardCount, heard.Length - fromJudged);
        double sum = 0;
        for (int i = judgedCount - fromJudged; i < judgedCount; i++) sum += judged[i];
        return AddHeard(sum, fromHeard) / (fromJudged + fromHeard);
    }

    /// <summary><paramref name="sum"/> plus the last <paramref name="windows"/> window powers heard, oldest first.
    /// </summary>
    double AddHeard(double sum, int windows)
    {
        for (long w = heardCount - windows; w < heardCount; w++) sum += heard[w % heard.Length];
        return sum;
    }

    /// <summary>The step last judged is the one heard.</summary>
    public void KeepJudged()
    {
        quietRun = judgedRun;
        for (int i = 0; i < judgedCount; i++) heard[heardCount++ % heard.Length] = judged[i];
    }

    /// <summary>A replacement of the step last judged is heard instead.</summary>
    public void Keep(ReadOnlySpan<float> magnitudes, int bins)
    {
        Strays(magnitudes, bins);
        KeepJudged();
    }

    /// <summary>Learning is over (a note learns before it generates): the thresholds are fixed once, and the opening's
    /// quiet runs measured, its last one carried into what follows.</summary>
    void FixThresholds()
    {
        var windows = learnt.AsSpan(0, count);
        var order = sorted.AsSpan(0, count);
        windows.CopyTo(order);
        order.Sort();
        double median = order[count / 2], quietest = order[0];
        quiet = median * Math.Pow(10, -QuietBelowMedianDb / 10);
        floor = Math.Min(median * Math.Pow(10, -BelowMedianDb / 10), quietest * Math.Pow(10, -BelowQuietestDb / 10));
        foreach (double power in windows)
        {
            quietRun = power < quiet ? quietRun + 1 : 0;
            longestQuietRun = Math.Max(longestQuietRun, quietRun);
        }
    }

    static double MeanPower(ReadOnlySpan<float> magnitudes)
    {
        double sum = 0;
        foreach (float m in magnitudes) sum += (double)m * m;
        return sum / magnitudes.Length;
    }
}
