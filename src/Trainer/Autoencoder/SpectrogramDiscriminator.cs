using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>
/// Tells decoded log-magnitude spectrograms from real ones, patch by patch (the second, adversarial phase of
/// training, as RAVE and EnCodec run it; never exported). Its input is the normalised log-magnitude [B, bins, T]
/// pooled 4× in frequency; 9×3 convolutions dilated 1, 2, 4 in time see about a step (16 frames) at once, the scale
/// at which the L1 and spectral-convergence losses settle for a smeared average. Each halves frequency by overlapping
/// average pooling, not by stride: a strided critic's gradient repeats every 2⁴ pooled bins, and the decoder learned
/// horizontal stripes 1.5 kHz apart from it.
/// </summary>
public sealed class SpectrogramDiscriminator : nn.Module
{
    public const int FrequencyPooling = 4;
    const int Halvings = 4;
    readonly ModuleList<Conv2d> layers = new();
    readonly Conv2d output;

    public SpectrogramDiscriminator(int channels = 16) : base(nameof(SpectrogramDiscriminator))
    {
        int inCh = 1;
        foreach (int dilation in new[] { 1, 1, 2, 4 })
        {
            layers.Add(nn.Conv2d(inCh, channels, (9, 3), stride: (1, 1), padding: (4, dilation),
                                 dilation: (1, dilation)));
            inCh = channels;
        }
        layers.Add(nn.Conv2d(channels, channels, 3, padding: 1));
        output = nn.Conv2d(channels, 1, 3, padding: 1);
        RegisterComponents();
    }

    /// <summary>Logits [B, 1, frequency patches, T] and every hidden layer's activations (for feature
    /// matching).</summary>
    public (Tensor Logits, Tensor[] Features) Forward(Tensor logMagnitude)
    {
        var x = F.avg_pool2d(logMagnitude.unsqueeze(1), (FrequencyPooling, 1));
        var features = new Tensor[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            x = F.leaky_relu(layers[i].call(x), 0.2);
            // Overlapping windows of 4: a gradient with no block edges at any power of two.
            if (i < Halvings) x = F.avg_pool2d(x, new long[] { 4, 1 }, new long[] { 2, 1 }, new long[] { 1, 0 });
            features[i] = x;
        }
        return (output.call(x), features);
    }

    /// <summary>Hinge loss of the discriminator: real patches above +1, decoded ones below −1.</summary>
    public static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits) =>
        F.relu(1 - realLogits).mean() + F.relu(1 + fakeLogits).mean();

    /// <summary>Hinge loss of the decoder: its patches pushed above +1.</summary>
    public static Tensor AdversarialLoss(Tensor fakeLogits) => F.relu(1 - fakeLogits).mean();

    /// <summary>Mean over layers of ‖f_real − f_fake‖₁ / ‖f_real‖₁ (relative, so every layer counts alike whatever
    /// its scale).</summary>
    public static Tensor FeatureMatchingLoss(Tensor[] real, Tensor[] fake)
    {
        var loss = torch.zeros(Array.Empty<long>());
        for (int i = 0; i < real.Length; i++)
            loss = loss + (real[i] - fake[i]).abs().mean() / (real[i].abs().mean() + 1e-5);
        return loss / real.Length;
    }
}
