using Distill.Runtime.Bundle;
using Distill.Trainer.Data;

namespace Distill.Tests.Data;

public class CropBatcherTests
{
    const int Mels = 2, Bins = 3, Crop = 16;

    /// <summary>The share makes the first frame as covered as a middle one: p + (1 − p) / starts = (1 − p) · crop /
    /// starts.</summary>
    [Theory]
    [InlineData(1000)]
    [InlineData(200)]
    public void TheOpeningShareCoversTheFirstFrameAsAMiddleFrame(int starts)
    {
        double p = CropBatcher.OpeningShare(starts, Crop);
        Assert.Equal((1 - p) * Crop / starts, p + (1 - p) / starts, 12);
    }

    /// <summary>Capped for short clips; none when a clip has a single crop.</summary>
    [Fact]
    public void TheOpeningShareIsCappedAndNoneForASingleCrop()
    {
        Assert.Equal(CropBatcher.MaxOpeningShare, CropBatcher.OpeningShare(20, Crop));
        Assert.Equal(0, CropBatcher.OpeningShare(1, Crop));
    }

    /// <summary>Drawn crops of a clip whose log-mel is its frame index: the first frame lands in as many crops as a
    /// middle frame (within sampling noise), where uniform starts alone would put it in 1 / crop as many.</summary>
    [Fact]
    public void TheFirstFrameIsInAboutAsManyCropsAsAMiddleFrame()
    {
        const int frames = 200;
        var clip = new CorpusClip("ramp", "ramp.wav", frames,
                                  Enumerable.Range(0, frames * Mels).Select(i => (float)(i / Mels)).ToArray(),
                                  new Half[frames * Bins], frames / 100.0, 48000, 1, new AnchorLevels(-60, -10));
        var batcher = new CropBatcher([clip], new FeatureStats(0, 1, 0, 1), Mels, Bins, Crop);
        var coverage = new int[frames];
        var random = new Random(7);
        const int batches = 400, batchSize = 25;
        for (int i = 0; i < batches; i++)
        {
            using var batch = batcher.Sample(random, batchSize);
            var mel = batch.Mel.data<float>().ToArray(); // [B, 1, mels, T]: the first mel row holds the frame index
            for (int b = 0; b < batchSize; b++)
                for (int f = 0; f < Crop; f++) coverage[(int)mel[b * Mels * Crop + f]]++;
        }
        double middle = coverage[80..120].Average();
        Assert.InRange(coverage[0] / middle, 0.85, 1.15);
        Assert.True(coverage[frames - 1] < middle / 4, "the end stays as uniform starts leave it");
    }
}
