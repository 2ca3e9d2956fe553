using Distill.Runtime.Evaluation;

namespace Distill.Tests.Evaluation;

public class FrameAlignmentTests
{
    /// <summary>A bump of energy at <paramref name="centre"/> on a flat line.</summary>
    static double[] Bump(int length, int centre) =>
        Enumerable.Range(0, length).Select(t => Math.Exp(-0.5 * Math.Pow((t - centre) / 3.0, 2))).ToArray();

    [Theory]
    [InlineData(7)]
    [InlineData(-12)]
    [InlineData(0)]
    public void TheShiftOfABumpIsFound(int shift)
    {
        var at = FrameAlignment.Best(Bump(100, 40), Bump(100, 40 + shift), maxLag: 20);
        Assert.Equal(shift, at.Lag);
        Assert.Equal(100 - Math.Abs(shift), at.Count);
        Assert.Equal(at.OriginalStart + shift, at.RenderedStart);
    }

    [Fact]
    public void ADecayReplayedOverAFloorStaysUnshifted()
    {
        // A struck sound falls 80 dB in a second (94 frames); its replay falls alike onto a floor 50 dB down. Any
        // two stretches of a steady decay look alike, so a correlation normalised over each overlap alone slid the
        // replay a third of a second (its head onto the original's tail); the whole curves say they coincide.
        var original = Enumerable.Range(0, 94).Select(t => -80.0 * t / 94).ToArray();
        var replay = original.Select(e => Math.Max(e, -50)).ToArray();
        Assert.Equal(0, FrameAlignment.Best(original, replay, maxLag: 47).Lag);
    }

    [Fact]
    public void AShiftBeyondTheSearchIsNotFound()
    {
        Assert.NotEqual(30, FrameAlignment.Best(Bump(100, 30), Bump(100, 60), maxLag: 20).Lag);
    }

    [Fact]
    public void FlatEnergyStaysUnshifted()
    {
        var flat = Enumerable.Repeat(-20.0, 50).ToArray();
        Assert.Equal(new FrameAlignment(0, 0, 50), FrameAlignment.Best(flat, flat, maxLag: 10));
    }

    [Fact]
    public void OverlapCoversOnlyFramesBothClipsHave()
    {
        Assert.Equal(new FrameAlignment(3, 0, 7), FrameAlignment.At(3, originalFrames: 10, renderedFrames: 10));
        Assert.Equal(new FrameAlignment(-3, 3, 7), FrameAlignment.At(-3, originalFrames: 10, renderedFrames: 12));
    }
}
