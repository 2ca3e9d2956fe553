using Distill.Trainer.Autoencoder;
using Distill.Trainer.Torch;
using TorchSharp;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class AutoencoderShapeTests
{
    [Fact]
    public void OneSecondBecomesSixTimeStepsByEightFrequencyPositions()
    {
        TorchThreads.Use(1);
        torch.manual_seed(1);
        var config = new AutoencoderConfig { CodebookSize = 8 };
        var model = new RvqAutoencoder(config);
        var mel = torch.randn(2, 1, 128, 96); // 96 frames ≈ 1.02 s at hop 512 / 48 kHz
        var output = model.Forward(mel, training: true, config.Levels, new Random(1));
        Assert.Equal(new long[] { 2, 6, 8, 4 }, output.Codes.shape);
        Assert.Equal(new long[] { 2, 1, 128, 96 }, output.Mel.shape);
        Assert.Equal(new long[] { 2, 1025, 96 }, output.LogMagnitude.shape);
        var (decodedMel, decodedMag) = model.Decode(output.Codes, 2);
        Assert.Equal(output.Mel.shape, decodedMel.shape);
        Assert.Equal(output.LogMagnitude.shape, decodedMag.shape);
    }

    [Fact]
    public void MultiScaleMelLossAveragesThreeResolutions()
    {
        var a = torch.zeros(1, 1, 8, 8);
        var b = torch.ones(1, 1, 8, 8);
        Assert.Equal(1.0, RvqAutoencoder.MultiScaleMelLoss(a, b).item<float>(), 6);
        // A checkerboard of ±1 against zeros: 1 at full resolution, 0 once pooled.
        var checker = torch.tensor(Enumerable.Range(0, 64).Select(i => ((i / 8 + i % 8) % 2 == 0) ? 1f : -1f).ToArray(), new long[] { 1, 1, 8, 8 });
        Assert.Equal(1.0 / 3, RvqAutoencoder.MultiScaleMelLoss(checker, a).item<float>(), 6);
    }
}
