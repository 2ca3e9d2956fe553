namespace Distill.Trainer.Prior;

/// <summary>A stretch of a clip that validation scores: the window [<see cref="StartStep"/>, + context) is read from
/// the clip, and only its time steps in [<see cref="ScoredFrom"/>, <see cref="ScoredTo"/>) count.</summary>
public sealed record ScoredWindow(CodeSequence Clip, int StartStep, int ScoredFrom, int ScoredTo);

/// <summary>
/// The prior's split, by time rather than by file: it learns the first <see cref="TrainFraction"/> of every clip and is
/// validated on how it continues each one past that. Generation only ever continues the world's own sounds, every
/// clip is an anchor, and a prior judged on sounds it never heard stops before it learns its own (the demo world's,
/// validated on two held-out textures, kept its weights of step 6, worse than a unigram at every level).
/// </summary>
public static class TimeSplit
{
    public const double TrainFraction = 0.8;

    /// <summary>The steps of a clip of <paramref name="timeSteps"/> the prior learns: at least one, and at least one
    /// left to validate when there are two.</summary>
    public static int TrainSteps(int timeSteps) =>
        Math.Clamp((int)Math.Round(timeSteps * TrainFraction), 1, Math.Max(1, timeSteps - 1));

    /// <summary>The part of <paramref name="clip"/> the prior learns.</summary>
    public static CodeSequence Head(CodeSequence clip) => Part(clip, 0, TrainSteps(clip.TimeSteps));

    /// <summary>The tokens of <see cref="Head"/>, without a copy.</summary>
    public static ReadOnlySpan<long> HeadTokens(CodeSequence clip) =>
        clip.Tokens.AsSpan(0, TrainSteps(clip.TimeSteps) * TokensPerStep(clip));

    /// <summary>The part it is validated on (empty for a one-step clip).</summary>
    public static CodeSequence Tail(CodeSequence clip) =>
        Part(clip, TrainSteps(clip.TimeSteps), clip.TimeSteps - TrainSteps(clip.TimeSteps));

    /// <summary>Windows of <paramref name="steps"/> that score every held-out step once, each with at least half a
    /// window of the clip before it as context where the clip has it: windows end at the clip's end and every half
    /// window before it, and score their last half (the first window of a tail scores from the tail's start).</summary>
    public static IEnumerable<ScoredWindow> ValidationWindows(IEnumerable<CodeSequence> clips, int steps)
    {
        int stride = Math.Max(1, steps / 2);
        foreach (var clip in clips)
        {
            int from = TrainSteps(clip.TimeSteps);
            var windows = new List<ScoredWindow>();
            for (int end = clip.TimeSteps; end > from; end -= stride)
                windows.Add(new ScoredWindow(clip, Math.Max(0, end - steps), Math.Max(from, end - stride), end));
            windows.Reverse();
            foreach (var w in windows) yield return w;
        }
    }

    static CodeSequence Part(CodeSequence clip, int startStep, int steps) => clip with
    {
        Tokens = clip.Tokens.AsSpan(startStep * TokensPerStep(clip), steps * TokensPerStep(clip)).ToArray(),
        TimeSteps = steps,
    };

    static int TokensPerStep(CodeSequence clip) => clip.Tokens.Length / clip.TimeSteps;
}
