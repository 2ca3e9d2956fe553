using Distill.Trainer.Prior;

namespace Distill.Tests.Prior;

public class TimeSplitTests
{
    static CodeSequence Clip(int steps, int tokensPerStep = 3) =>
        new($"clip{steps}", Enumerable.Range(0, steps * tokensPerStep).Select(i => (long)i).ToArray(), steps);

    /// <summary>The head and the tail of a clip are its first four fifths and the rest, in order; a clip of two steps
    /// keeps one of each, a clip of one trains on it and validates nothing.</summary>
    [Theory]
    [InlineData(35, 28)]
    [InlineData(6, 5)]
    [InlineData(2, 1)]
    [InlineData(1, 1)]
    public void HeadAndTailSplitAClipInOrder(int steps, int headSteps)
    {
        var clip = Clip(steps);
        var (head, tail) = (TimeSplit.Head(clip), TimeSplit.Tail(clip));
        Assert.Equal((headSteps, steps - headSteps), (head.TimeSteps, tail.TimeSteps));
        Assert.Equal(clip.Tokens, head.Tokens.Concat(tail.Tokens).ToArray());
        Assert.Equal(clip.Name, tail.Name);
    }

    /// <summary>Validation scores every held-out step of every clip exactly once and nothing the prior learnt; each
    /// scored step has at least half a window of the clip before it where the clip is that long, and windows start
    /// inside their clip.</summary>
    [Theory]
    [InlineData(16)]
    [InlineData(6)]
    [InlineData(5)]
    public void WindowsScoreEveryHeldOutStepOnceWithContext(int steps)
    {
        var clips = new[] { Clip(35), Clip(6), Clip(2), Clip(1), Clip(320) };
        var windows = TimeSplit.ValidationWindows(clips, steps).ToArray();
        foreach (var clip in clips)
        {
            int from = TimeSplit.TrainSteps(clip.TimeSteps);
            var scored = windows.Where(w => w.Clip == clip)
                                .SelectMany(w => Enumerable.Range(w.ScoredFrom, w.ScoredTo - w.ScoredFrom)).ToArray();
            Assert.Equal(Enumerable.Range(from, clip.TimeSteps - from), scored.Order());
            foreach (var w in windows.Where(w => w.Clip == clip))
            {
                Assert.InRange(w.StartStep, 0, clip.TimeSteps - 1);
                Assert.True(w.ScoredFrom >= w.StartStep && w.ScoredTo <= w.StartStep + steps, $"{w}");
                Assert.True(w.ScoredFrom - w.StartStep >= Math.Min(steps / 2, w.ScoredFrom), $"{w}: little context");
            }
        }
    }
}
