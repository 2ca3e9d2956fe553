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

    /// <summary>Against a steady anchor (its own seconds do not differ: the allowance is the minimum, 4 dB), a step
    /// that would move the last second's mean spectrum by more strays; one moving it less does not; and a second of
    /// generated steps that all moved a little is judged as a whole.</summary>
    [Fact]
    public void StepsStrayWhenTheLastSecondLeavesTheAnchorsSpectrum()
    {
        var guard = new SpectrumGuard(Rate, NFft, learnSteps: 8);
        Assert.False(guard.Strays(Step(1e-6)));
        for (int s = 0; s < 8; s++) guard.Learn(Step());
        Assert.False(guard.Strays(Step()));
        // One step in six, 40 dB down above 1 kHz: the second's mean moves by under 1 dB in those bands.
        Assert.False(guard.Strays(Step(0.01, 1000)));
        // The whole spectrum 30 dB up in one step: the mean power of the second rises by 25 dB.
        Assert.True(guard.Strays(Step(31.6)));
        // Steps 6 dB down everywhere: each is kept, and the second drifts until it is judged too far.
        int kept = 0;
        while (!guard.Strays(Step(0.5)) && kept < 10)
        {
            guard.Keep(Step(0.5));
            kept++;
        }
        Assert.InRange(kept, 3, 6);
        guard.Reset();
        Assert.False(guard.Strays(Step(1e-6)));
    }
}
