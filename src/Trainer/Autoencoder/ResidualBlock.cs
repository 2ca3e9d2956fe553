using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>x + conv(gelu(conv(gelu(x)))), 3×3, same channels and size.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;

    public ResidualBlock(int channels) : base(nameof(ResidualBlock))
    {
        conv1 = nn.Conv2d(channels, channels, 3, padding: 1);
        conv2 = nn.Conv2d(channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    internal Conv2d Conv1 => conv1;
    internal Conv2d Conv2 => conv2;

    public override Tensor forward(Tensor x) => x + conv2.call(F.gelu(conv1.call(F.gelu(x))));
}
