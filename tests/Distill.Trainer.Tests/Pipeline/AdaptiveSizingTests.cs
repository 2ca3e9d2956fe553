using Distill.Trainer.Pipeline;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;

namespace Distill.Tests.Pipeline;

public class AdaptiveSizingTests
{
    [Theory]
    [InlineData(1, 64, 0.8)]
    [InlineData(5, 64, 0.8)]
    [InlineData(20, 64, 0.8)]
    [InlineData(21, 128, 0.9)]
    [InlineData(100, 128, 0.9)]
    [InlineData(101, 256, 0.95)]
    [InlineData(500, 256, 0.95)]
    public void CodebookFollowsTheFileCountTiers(int files, int codebook, double decay)
    {
        Assert.Equal(codebook, AdaptiveSizing.CodebookSize(files));
        Assert.Equal(decay, AdaptiveSizing.EmaDecay(files));
        Assert.Equal(files <= 20 ? 1e-3 : 2e-3, AdaptiveSizing.LearningRate(files));
    }

    [Theory]
    [InlineData(1, 128, 2)]
    [InlineData(16_000, 128, 2)]
    [InlineData(16_001, 256, 4)]
    [InlineData(80_000, 256, 4)]
    [InlineData(80_001, 512, 6)]
    [InlineData(1_000_000, 512, 6)]
    public void PriorFollowsTheTokenCountTiers(long tokens, int hidden, int layers) =>
        Assert.Equal((hidden, layers), AdaptiveSizing.Prior(tokens));

    [Theory]
    [InlineData(20, 128)]
    [InlineData(100, 256)]
    [InlineData(500, 512)]
    public void TypicalFilesOfFourSecondsLandInTheirFileCountTier(int files, int hidden)
    {
        // 4 s of 48 kHz audio at hop 512 is 375 frames: 24 steps of 8 positions × 4 levels.
        long tokens = AdaptiveSizing.PriorTokens(Enumerable.Repeat(375, files), downsampling: 16, tokensPerStep: 32);
        Assert.Equal(hidden, AdaptiveSizing.Prior(tokens).Hidden);
        Assert.Equal(hidden, AdaptiveSizing.Prior(AdaptiveSizing.TypicalTokens(files)).Hidden);
    }

    /// <summary>The 128-unit tier keeps a key/value per head (4); the larger tiers share one among all (8, 16).</summary>
    [Theory]
    [InlineData(128, 4)]
    [InlineData(256, 1)]
    [InlineData(512, 1)]
    public void LargerPriorsShareOneKeyValueHead(int hidden, int keyValueHeads)
    {
        var config = new PriorConfig { Hidden = hidden, QueriesPerKeyValue = AdaptiveSizing.PriorQueriesPerKeyValue(hidden) };
        Assert.Equal(keyValueHeads, config.KeyValueHeads);
    }

    /// <summary>Short epochs get as many more as 1,400 steps need: the demo corpus's 8-step epochs 175, the real
    /// corpus's 23-step epochs 61; from 47 steps an epoch the default 30 are enough.</summary>
    [Theory]
    [InlineData(8, 175)]
    [InlineData(7, 200)]
    [InlineData(23, 61)]
    [InlineData(46, 31)]
    [InlineData(47, 30)]
    [InlineData(200, 30)]
    public void ShortEpochsAreRepeatedUpToTheMinimumOfSteps(int stepsPerEpoch, int epochs)
    {
        Assert.Equal(epochs, AdaptiveSizing.AutoencoderEpochs(30, stepsPerEpoch));
        Assert.True(epochs * stepsPerEpoch >= AdaptiveSizing.MinimumAutoencoderSteps);
    }
}
