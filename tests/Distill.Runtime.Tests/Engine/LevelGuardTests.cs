using Distill.Runtime.Engine;

namespace Distill.Tests.Engine;

public class LevelGuardTests
{
    static double Power(double db) => Math.Pow(10, db / 10);

    /// <summary>The range is the replayed steps' quietest and loudest: a generated step strays past 30 dB below the
    /// one or 10 dB above the other, and not before; nothing strays before anything was learnt.</summary>
    [Fact]
    public void StepsStrayOnlyBeyondTheAnchorsRange()
    {
        var guard = new LevelGuard();
        Assert.False(guard.Strays(0));
        foreach (double db in new[] { -20.0, -12, -15 }) guard.Learn(Power(db));
        Assert.False(guard.Strays(Power(-49.9)));
        Assert.True(guard.Strays(Power(-50.1)));
        Assert.False(guard.Strays(Power(-2.1)));
        Assert.True(guard.Strays(Power(-1.9)));
        guard.Reset();
        Assert.False(guard.Strays(0));
    }
}
