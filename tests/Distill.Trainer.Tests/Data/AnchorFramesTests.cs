using Distill.Runtime.Bundle;
using Distill.Trainer.Data;

namespace Distill.Tests.Data;

public class AnchorFramesTests
{
    /// <summary>Every frame of the clip, in order, then the last partial step completed by the frames before the last,
    /// mirrored: a 1 s clip (94 frames) is 6 steps, frames 94 and 95 are frames 92 and 91.</summary>
    [Fact]
    public void APartialLastStepIsCompletedByTheClipsEndMirrored()
    {
        Assert.Equal(6, AnchorFrames.Steps(94, 16));
        Assert.Equal([.. Enumerable.Range(0, 94), 92, 91], AnchorFrames.Sources(94, 16));
        Assert.Equal([.. Enumerable.Range(0, 17), 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
                     AnchorFrames.Sources(17, 16));
    }

    [Fact]
    public void WholeStepsAreTheClipAsItIs()
    {
        Assert.Equal(3, AnchorFrames.Steps(48, 16));
        Assert.Equal(Enumerable.Range(0, 48), AnchorFrames.Sources(48, 16));
    }

    /// <summary>A clip shorter than one step has no step to mirror: one step, silence after it.</summary>
    [Fact]
    public void AClipShorterThanAStepIsOneStepCompletedWithSilence()
    {
        Assert.Equal(1, AnchorFrames.Steps(5, 16));
        Assert.Equal([0, 1, 2, 3, 4, .. Enumerable.Repeat(-1, 11)], AnchorFrames.Sources(5, 16));
    }

    /// <summary>The batch a clip's codes are encoded from holds those frames: a clip whose log-mel is its frame index
    /// reads back as the sources; a short clip's silence is its quietest value.</summary>
    [Theory]
    [InlineData(94)]
    [InlineData(5)]
    public void TheWholeClipWindowReadsTheSources(int frames)
    {
        const int mels = 2, bins = 3;
        var clip = new CorpusClip("ramp", "ramp.wav", frames,
                                  Enumerable.Range(0, frames * mels).Select(i => (float)(i / mels) + 1).ToArray(),
                                  new Half[frames * bins], frames / 100.0, 48000, 1, new AnchorLevels(-60, -10));
        var batcher = new CropBatcher([clip], new FeatureStats(0, 1, 0, 1), mels, bins, cropFrames: 64);
        using var batch = batcher.Whole(0, 16);
        var sources = AnchorFrames.Sources(frames, 16);
        Assert.Equal([1, 1, mels, sources.Length], batch.Mel.shape);
        var firstRow = batch.Mel.data<float>().ToArray()[..sources.Length]; // frame index + 1, or the quietest: 1
        Assert.Equal(sources.Select(s => s < 0 ? 1f : s + 1f), firstRow);
    }
}
