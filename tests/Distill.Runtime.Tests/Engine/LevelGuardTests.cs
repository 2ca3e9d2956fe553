using Distill.Runtime.Engine;

namespace Distill.Tests.Engine;

public class LevelGuardTests
{
    const int Bins = 3, Frames = 16;

    /// <summary>A step of <see cref="Frames"/> frames at <paramref name="db"/> dB power, with frames
    /// [<paramref name="holeStart"/>, +<paramref name="holeFrames"/>) at <paramref name="holeDb"/>.</summary>
    static float[] Step(double db, int holeStart = 0, int holeFrames = 0, double holeDb = 0)
    {
        var step = new float[Frames * Bins];
        for (int f = 0; f < Frames; f++)
        {
            double level = f >= holeStart && f < holeStart + holeFrames ? holeDb : db;
            step.AsSpan(f * Bins, Bins).Fill((float)Math.Pow(10, level / 20));
        }
        return step;
    }

    /// <summary>A one-shot: its strike, in the first step, counts only for loudness. A later strike at its level is no
    /// burst (it would be, 10 dB above the decay learnt after it), the strike is the loudest step a lull ends with, and
    /// its windows set no threshold: a decay window 30 dB under the strike is not quiet.</summary>
    [Fact]
    public void AStrikeInTheFirstStepCountsOnlyForLoudness()
    {
        var guard = new LevelGuard(windows: 16, secondWindows: 8);
        guard.LearnLoudness(Step(0));
        foreach (double db in new[] { -20.0, -21, -22 }) guard.Learn(Step(db), Bins);
        Assert.Equal(0, guard.LoudestLearnt);
        Assert.False(guard.Strays(Step(0), Bins));
        Assert.True(guard.Strays(Step(10.1), Bins));
        Assert.False(guard.Strays(Step(-21, 4, 4, -50.9), Bins)); // 30 dB under the decay's median, not the strike's

        var decayOnly = new LevelGuard(windows: 16, secondWindows: 8);
        foreach (double db in new[] { -20.0, -21, -22 }) decayOnly.Learn(Step(db), Bins);
        Assert.True(decayOnly.Strays(Step(0), Bins));
    }

    /// <summary>The range comes from the replayed steps: a generated step strays when a 4-frame window of an anchor
    /// without quiet windows falls 30 dB below their windows' median (a run of quiet windows longer than the anchor's,
    /// which has none), or its mean rises 10 dB above the loudest step; not before; nothing strays before anything was
    /// learnt.</summary>
    [Fact]
    public void StepsStrayOnlyBeyondTheAnchorsRange()
    {
        var guard = new LevelGuard(windows: 16, secondWindows: 8);
        Assert.False(guard.Strays(Step(-200), Bins));
        foreach (double db in new[] { -20.0, -12, -15 }) guard.Learn(Step(db), Bins);
        // Median window −15 dB: a whole window at −44.9 is in range, at −45.1 a hole.
        Assert.False(guard.Strays(Step(-15, 4, 4, -44.9), Bins));
        Assert.True(guard.Strays(Step(-15, 4, 4, -45.1), Bins));
        // A hole shorter than a window is averaged with its neighbours.
        Assert.False(guard.Strays(Step(-15, 5, 1, -200), Bins));
        Assert.False(guard.Strays(Step(-2.1), Bins));
        Assert.True(guard.Strays(Step(-1.9), Bins));
        guard.Reset();
        Assert.False(guard.Strays(Step(-200), Bins));
    }

    /// <summary>An anchor with gaps of its own may have gaps as long as its own: a run of quiet windows (30 dB below the
    /// median) may be as long as its longest, down to 10 dB below its quietest window (or 35 below the median).</summary>
    [Fact]
    public void AnAnchorsOwnGapsAreNotHoles()
    {
        var guard = new LevelGuard(windows: 16, secondWindows: 8);
        guard.Learn(Step(-10), Bins);
        guard.Learn(Step(-10, 0, 4, -80), Bins);
        guard.Learn(Step(-10), Bins);
        Assert.False(guard.Strays(Step(-10, 8, 4, -89.9), Bins));
        Assert.True(guard.Strays(Step(-10, 8, 4, -90.1), Bins));
        // Two quiet windows in a row are a gap longer than any the anchor has, however loud the rest.
        Assert.True(guard.Strays(Step(-10, 8, 8, -60), Bins));
    }

    /// <summary>A quiet run goes on across steps: a gap at the end of the step heard and one at the start of the next
    /// make a run of two windows, where the anchor's longest is one; a step heard in between breaks it.</summary>
    [Fact]
    public void AQuietRunCarriesFromTheStepHeardToTheNext()
    {
        var guard = new LevelGuard(windows: 16, secondWindows: 8);
        guard.Learn(Step(-10), Bins);
        guard.Learn(Step(-10, 0, 4, -80), Bins);
        var gapAtStart = Step(-10, 0, 4, -60);
        var gapAtEnd = Step(-10, 12, 4, -60);
        Assert.False(guard.Strays(gapAtEnd, Bins));
        guard.Keep(gapAtEnd, Bins);
        Assert.True(guard.Strays(gapAtStart, Bins));
        guard.Keep(Step(-10), Bins);
        Assert.False(guard.Strays(gapAtStart, Bins));
    }

    /// <summary>The last second heard, the step judged included, may not sink below the floor given: steps 20 dB down,
    /// each in range by its windows, stray once a whole second of them would be heard (as a lull: the anchor's loudest
    /// step ends it); a step of the anchor's level heard in between lifts the second back. Without a floor, they pass.
    /// </summary>
    [Fact]
    public void ASecondBelowTheFloorGivenStrays()
    {
        var guard = new LevelGuard(windows: 16, secondWindows: 8);
        guard.Learn(Step(-12), Bins);
        guard.Learn(Step(-10), Bins);
        Assert.Equal(1, guard.LoudestLearnt);
        Assert.Equal(-10.886, 10 * Math.Log10(guard.HeardSecondPower), 0.001);
        double floor = guard.HeardSecondPower * Math.Pow(10, -0.6);
        var quiet = Step(-30);
        // Half a second at −30 with half at −10 is −12.8 dB: within 6 dB of the opening's second.
        Assert.False(guard.Strays(quiet, Bins, floor));
        guard.Keep(quiet, Bins);
        Assert.False(guard.Strays(quiet, Bins));
        Assert.True(guard.Strays(quiet, Bins, floor));
        Assert.True(guard.SecondTooQuiet);
        guard.Keep(Step(-10), Bins);
        Assert.False(guard.Strays(quiet, Bins, floor));
        // After half a second at −30, the next half may be as quiet as 10·log10(2·10^−1.6886 − 10^−3) = −13.98 dB.
        guard.Keep(quiet, Bins);
        Assert.False(guard.Strays(Step(-13.9), Bins, floor));
        Assert.True(guard.Strays(Step(-14.1), Bins, floor));
    }
}
