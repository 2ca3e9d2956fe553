using Distill.Trainer.Autoencoder;
using TorchSharp;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class CodebookHealthTests
{
    [Fact]
    public void UniformUsageHasFullUtilizationAndPerplexityK()
    {
        var h = CodebookHealth.FromCounts(0, new long[] { 5, 5, 5, 5 });
        Assert.Equal(100, h.UtilizationPercent);
        Assert.Equal(4, h.Perplexity, 9);
        Assert.Equal(0, h.DeadCodes);
        Assert.Equal(20, h.Positions);
    }

    [Fact]
    public void SingleCodeHasPerplexityOneAndTheRestDead()
    {
        var h = CodebookHealth.FromCounts(2, new long[] { 0, 9, 0, 0, 0, 0, 0, 0 });
        Assert.Equal(12.5, h.UtilizationPercent);
        Assert.Equal(1, h.Perplexity, 9);
        Assert.Equal(7, h.DeadCodes);
        Assert.Equal(2, h.Level);
    }

    [Fact]
    public void PerplexityIsExpOfEntropy()
    {
        var h = CodebookHealth.FromCounts(0, new long[] { 1, 3, 0 });
        double entropy = -(0.25 * Math.Log(0.25) + 0.75 * Math.Log(0.75));
        Assert.Equal(Math.Exp(entropy), h.Perplexity, 9);
    }

    [Fact]
    public void AccumulateCountsPerLevelAndIgnoresDroppedLevels()
    {
        var counts = CodebookHealth.NewCounts(2, 3);
        // [positions=4, levels=2]; level 1 dropped (−1) for the last two positions.
        CodebookHealth.Accumulate(counts, torch.tensor(new long[] { 0, 2, 1, 2, 1, -1, 1, -1 }, new long[] { 4, 2 }));
        Assert.Equal(new long[] { 1, 3, 0 }, counts[0]);
        Assert.Equal(new long[] { 0, 0, 2 }, counts[1]);
    }
}
