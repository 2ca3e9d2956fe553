using Distill.Trainer.Autoencoder;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class ResidualQuantizerTests
{
    public ResidualQuantizerTests() => TorchThreads.Use(1);

    static (ResidualQuantizer Rvq, Tensor X) Trained(int levels)
    {
        torch.manual_seed(11);
        var rvq = new ResidualQuantizer(levels, 16, 4, 0.8, 0.0);
        var x = torch.randn(512, 4);
        for (int i = 0; i < 5; i++) rvq.Quantize(x, training: true, levels, new Random(i));
        return (rvq, x);
    }

    [Fact]
    public void EachLevelReducesTheReconstructionError()
    {
        var (rvq, x) = Trained(4);
        var codes = rvq.Quantize(x, training: false, 4).Codes;
        double previous = double.MaxValue;
        for (int depth = 1; depth <= 4; depth++)
        {
            double error = (rvq.Decode(codes, depth) - x).pow(2).mean().item<float>();
            Assert.True(error < previous, $"depth {depth}: {error} !< {previous}");
            previous = error;
        }
    }

    [Fact]
    public void OutputIsStraightThroughAndEqualsDecodedCodes()
    {
        var (rvq, _) = Trained(3);
        var x = torch.randn(64, 4).requires_grad_(true);
        var output = rvq.Quantize(x, training: false, 3);
        Assert.True(torch.allclose(output.Quantized, rvq.Decode(output.Codes, 3), 1e-5, 1e-5));
        output.Quantized.sum().backward();
        Assert.True(torch.allclose(x.grad!, torch.ones_like(x)));
    }

    [Fact]
    public void CommitmentIsQuarterOfSummedPerLevelResidualError()
    {
        var (rvq, _) = Trained(2);
        var x = torch.randn(64, 4);
        var output = rvq.Quantize(x, training: false, 2);
        var q0 = rvq.Level(0).Lookup(output.Codes[TensorIndex.Colon, 0]);
        var q1 = rvq.Level(1).Lookup(output.Codes[TensorIndex.Colon, 1]);
        double expected = 0.25 * ((x - q0).pow(2).mean().item<float>() + (x - q0 - q1).pow(2).mean().item<float>());
        Assert.Equal(expected, output.Commitment.item<float>(), 5);
    }

    [Fact]
    public void DroppedLevelsAreMarkedAndNotUpdated()
    {
        var (rvq, x) = Trained(4);
        var before = rvq.Level(3).Embed.clone();
        var output = rvq.Quantize(x, training: true, levelsUsed: 2, new Random(3));
        var codes = output.Codes;
        Assert.True((codes[TensorIndex.Colon, TensorIndex.Slice(0, 2)] >= 0).all().item<bool>());
        Assert.True((codes[TensorIndex.Colon, TensorIndex.Slice(2, 4)] == -1).all().item<bool>());
        Assert.True(before.equal(rvq.Level(3).Embed).all().item<bool>());
    }

    [Fact]
    public void QuantizeDropoutDrawsAllLevelCountsButMostlyFullDepth()
    {
        var rvq = new ResidualQuantizer(4, 8, 2, 0.8, 1.0, quantizeDropoutProbability: 0.5);
        var random = new Random(1);
        var counts = new int[5];
        for (int i = 0; i < 4000; i++) counts[rvq.DrawLevelCount(random)]++;
        Assert.Equal(0, counts[0]);
        Assert.All(counts[1..4], c => Assert.InRange(c, 350, 650));   // 0.5 × 1/4 each
        Assert.InRange(counts[4], 2250, 2750);                           // 0.5 + 0.5 × 1/4
    }
}
