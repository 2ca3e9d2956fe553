using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>x + conv(gelu(conv(gelu(x)))), 3×3, same channels and size; causal in time for the decoder, which
/// streams, centred for the encoder, which sees whole clips.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, conv2;

    public ResidualBlock(int channels, bool causal = false) : base(nameof(ResidualBlock))
    {
        conv1 = causal ? new CausalConv2d(channels, channels, 3, 3) : nn.Conv2d(channels, channels, 3, padding: 1);
        conv2 = causal ? new CausalConv2d(channels, channels, 3, 3) : nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    internal nn.Module<Tensor, Tensor> Conv1 => conv1;
    internal nn.Module<Tensor, Tensor> Conv2 => conv2;

    public override Tensor forward(Tensor x) => x + conv2.call(F.gelu(conv1.call(F.gelu(x))));
}
