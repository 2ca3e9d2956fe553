using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class SafetyLimiterTests
{
    static float[] Sine(double amplitude, int frames, double hz = 440, int rate = 48000) =>
        Enumerable.Range(0, frames).Select(n => (float)(amplitude * Math.Sin(2 * Math.PI * hz * n / rate))).ToArray();

    [Fact]
    public void BelowTheCeilingNothingChanges()
    {
        var limiter = new SafetyLimiter();
        limiter.Prepare(48000);
        var x = Sine(SafetyLimiter.Ceiling * 0.999, 48000);
        var y = (float[])x.Clone();
        limiter.Process(y);
        Assert.Equal(x, y);
    }

    [Fact]
    public void NothingLeavesAboveTheCeilingAndTheGainRecoversAfterTheRelease()
    {
        var limiter = new SafetyLimiter();
        limiter.Prepare(48000);
        var loud = Sine(4, 24000);                     // +12 dBFS, as an 8-note chord at full velocity can be
        var quiet = Sine(0.25, (int)(48000 * (SafetyLimiter.ReleaseSeconds + 0.3)));
        var y = loud.Concat(quiet).ToArray();
        limiter.Process(y);
        Assert.True(y.Max(MathF.Abs) <= SafetyLimiter.Ceiling);
        // While loud, a steady gain (no clipping): the output's peaks sit at the ceiling on every cycle.
        Assert.InRange(y[12000..24000].Max(), SafetyLimiter.Ceiling * 0.99f, SafetyLimiter.Ceiling);
        // After the release the quiet part comes through untouched.
        int settled = 24000 + (int)(48000 * (SafetyLimiter.ReleaseSeconds + 0.2));
        Assert.Equal(quiet[(settled - 24000)..], y[settled..]);
    }

    [Fact]
    public void TheGainNeverJumpsUpward()
    {
        // A burst then silence: the release is smooth (monotone gain), never a step back to unity.
        var limiter = new SafetyLimiter();
        limiter.Prepare(48000);
        var ones = Enumerable.Repeat(1f, 48000).ToArray();
        ones[100] = 3f;
        limiter.Process(ones);
        for (int i = 102; i < ones.Length; i++) Assert.True(ones[i] >= ones[i - 1] - 1e-7f, $"gain fell at {i}");
        Assert.True(ones[101] < SafetyLimiter.Ceiling / 2.9f);
    }
}
