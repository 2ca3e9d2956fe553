using Distill.Trainer.Autoencoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class SpectrogramDiscriminatorTests
{
    static Tensor Full(float value) => torch.full(2, 1, 4, 8, value);

    [Fact]
    public void HingeLossesVanishOnlyBeyondTheMargins()
    {
        Assert.Equal(0f, SpectrogramDiscriminator.DiscriminatorLoss(Full(1.5f), Full(-1.2f)).item<float>());
        // Real at 0 and fake at 0.5: (1 − 0) + (1 + 0.5).
        Assert.Equal(2.5f, SpectrogramDiscriminator.DiscriminatorLoss(Full(0), Full(0.5f)).item<float>(), 6);
        Assert.Equal(0f, SpectrogramDiscriminator.AdversarialLoss(Full(1)).item<float>());
        Assert.Equal(1.75f, SpectrogramDiscriminator.AdversarialLoss(Full(-0.75f)).item<float>(), 6);
    }

    [Fact]
    public void FeatureMatchingIsRelativePerLayer()
    {
        var real = new[] { Full(2), Full(-0.01f) };
        Assert.Equal(0f, SpectrogramDiscriminator.FeatureMatchingLoss(real, real).item<float>(), 6);
        // Each layer off by half its own magnitude counts 0.5, whatever the layer's scale.
        var fake = new[] { Full(3), Full(-0.015f) };
        Assert.Equal(0.5f, SpectrogramDiscriminator.FeatureMatchingLoss(real, fake).item<float>(), 3);
    }

    [Fact]
    public void JudgesPatchesOfAStepAndKeepsTime()
    {
        torch.manual_seed(1).Dispose();
        var critic = new SpectrogramDiscriminator();
        using var _ = torch.no_grad();
        var (logits, features) = critic.Forward(torch.randn(3, 1025, 64));
        // 1025 bins pooled 4× to 256, halved after each of the four first layers: 16 frequency patches per frame.
        Assert.Equal(new long[] { 3, 1, 16, 64 }, logits.shape);
        Assert.Equal(5, features.Length);
        // A change in the last frame reaches no earlier-than-receptive-field logits: locality in time.
        var x = torch.randn(1, 1025, 64);
        var y = x.clone();
        y[TensorIndex.Colon, TensorIndex.Colon, 63] += 5;
        var delta = (critic.Forward(x).Logits - critic.Forward(y).Logits).abs().amax(new long[] { 0, 1, 2 });
        Assert.Equal(0f, delta.narrow(0, 0, 64 - 32).max().item<float>());
        Assert.True(delta[63].item<float>() > 0);
    }
}
