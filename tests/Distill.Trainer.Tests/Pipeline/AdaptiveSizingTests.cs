using Distill.Trainer.Pipeline;
using Distill.Trainer.Torch;

namespace Distill.Tests.Pipeline;

public class AdaptiveSizingTests
{
    [Theory]
    [InlineData(1, 64, 0.8, 128, 2)]
    [InlineData(5, 64, 0.8, 128, 2)]
    [InlineData(20, 64, 0.8, 128, 2)]
    [InlineData(21, 128, 0.9, 256, 4)]
    [InlineData(100, 128, 0.9, 256, 4)]
    [InlineData(101, 256, 0.95, 512, 6)]
    [InlineData(500, 256, 0.95, 512, 6)]
    public void SizesFollowTheFileCountTiers(int files, int codebook, double decay, int hidden, int layers)
    {
        Assert.Equal(codebook, AdaptiveSizing.CodebookSize(files));
        Assert.Equal(decay, AdaptiveSizing.EmaDecay(files));
        Assert.Equal((hidden, layers), AdaptiveSizing.Prior(files));
    }
}
