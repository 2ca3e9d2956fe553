using Distill.Runtime.Engine;

namespace Distill.Tests.Engine;

public class SpectrumGuardTests
{
    const int Rate = 48000, NFft = 2048, Bins = NFft / 2 + 1, Frames = 16;

    /// <summary>A step whose every frame has magnitude 1, times <paramref name="gain"/> from
    /// <paramref name="aboveHz"/>.</summary>
    static float[] Step(double gain = 1, double aboveHz = 0)
    {
        var step = new float[Frames * Bins];
        for (int f = 0; f < Frames; f++)
            for (int k = 0; k < Bins; k++) step[f * Bins + k] = k * (double)Rate / NFft >= aboveHz ? (float)gain : 1;
        return step;
    }

    /// <summary>A step whose first half of frames has magnitude <paramref name="first"/> and second half
    /// <paramref name="second"/>.</summary>
    static float[] Halves(float first, float second)
    {
        var step = Step(first);
        step.AsSpan(Frames / 2 * Bins).Fill(second);
        return step;
    }

    /// <summary>Against a steady anchor (its own seconds do not differ: both allowances are the minimum, 6 dB), the
    /// last second's spectrum judged two ways: a step 30 dB up strays by power (the second's mean power 25 dB up), though
    /// it moves the second's mean levels, as the goals measure a window, by 5 dB only; a step of bursts between holes
    /// strays by level once the second holds two of them, although by power each is louder than the anchor; one step
    /// 40 dB down above 1 kHz strays neither way; and a second of generated steps that all moved a little is judged as
    /// a whole.</summary>
    [Fact]
    public void StepsStrayWhenTheLastSecondLeavesTheAnchorsSpectrum()
    {
        var guard = new SpectrumGuard(Rate, NFft, learnSteps: 8);
        Assert.False(guard.Strays(Step(1e-6)));
        for (int s = 0; s < 8; s++) guard.Learn(Step());
        Assert.False(guard.Strays(Step()));
        Assert.True(guard.Strays(Step(31.6)));
        Assert.False(guard.Strays(Step(0.01, 1000)));

        // Eight frames 6 dB up, eight 60 dB down: +3 dB by power, −27 dB by level.
        var holey = Halves(2, 1e-3f);
        Assert.False(guard.Strays(holey)); // the second's mean levels 4.5 dB down, its power 0.7 dB up
        guard.KeepJudged();
        Assert.True(guard.Strays(holey));  // 9 dB down
        guard.Keep(Step());                // the anchor's own step heard instead

        guard.Reset();
        for (int s = 0; s < 8; s++) guard.Learn(Step());
        // Steps 8 dB down everywhere: each is kept, and the second drifts until it is judged too far (by level, at
        // 5 of 6 steps: 6.7 dB; by power 5.2 dB).
        int kept = 0;
        while (!guard.Strays(Step(0.4)) && kept < 10)
        {
            guard.Keep(Step(0.4));
            kept++;
        }
        Assert.Equal(4, kept);
        guard.Reset();
        Assert.False(guard.Strays(Step(1e-6)));
    }
}
