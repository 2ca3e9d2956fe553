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

    /// <summary>The range comes from the replayed steps: a generated step strays when a 4-frame window falls 35 dB
    /// below their windows' median (and 10 dB below the quietest), or its mean rises 10 dB above the loudest step;
    /// not before; nothing strays before anything was learnt.</summary>
    [Fact]
    public void StepsStrayOnlyBeyondTheAnchorsRange()
    {
        var guard = new LevelGuard(windows: 16);
        Assert.False(guard.Strays(Step(-200), Bins));
        foreach (double db in new[] { -20.0, -12, -15 }) guard.Learn(Step(db), Bins);
        // Median window −15 dB: a whole window at −49.9 is in range, at −50.1 a hole.
        Assert.False(guard.Strays(Step(-15, 4, 4, -49.9), Bins));
        Assert.True(guard.Strays(Step(-15, 4, 4, -50.1), Bins));
        // A hole shorter than a window is averaged with its neighbours.
        Assert.False(guard.Strays(Step(-15, 5, 1, -200), Bins));
        Assert.False(guard.Strays(Step(-2.1), Bins));
        Assert.True(guard.Strays(Step(-1.9), Bins));
        guard.Reset();
        Assert.False(guard.Strays(Step(-200), Bins));
    }

    /// <summary>An anchor with gaps of its own may have gaps: the floor is also 10 dB below its quietest window.</summary>
    [Fact]
    public void AnAnchorsOwnGapsAreNotHoles()
    {
        var guard = new LevelGuard(windows: 16);
        guard.Learn(Step(-10), Bins);
        guard.Learn(Step(-10, 0, 4, -80), Bins);
        guard.Learn(Step(-10), Bins);
        Assert.False(guard.Strays(Step(-10, 8, 8, -89.9), Bins));
        Assert.True(guard.Strays(Step(-10, 8, 8, -90.1), Bins));
    }
}
