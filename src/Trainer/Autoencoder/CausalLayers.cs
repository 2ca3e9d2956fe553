using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>A 2D convolution over [B, C, frequency, time] that never looks ahead in time: zero padding on the
/// left of time only, symmetric in frequency. Zero padding equals a stream's zero initial state, so a step-by-step
/// decode that carries the last kernel − 1 input frames reproduces the whole-sequence one.</summary>
public sealed class CausalConv2d : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;

    public CausalConv2d(int inChannels, int outChannels, int frequencyKernel, int timeKernel)
        : base(nameof(CausalConv2d))
    {
        conv = nn.Conv2d(inChannels, outChannels, (frequencyKernel, timeKernel), stride: (1, 1),
                         padding: (frequencyKernel / 2, 0));
        RegisterComponents();
    }

    internal Conv2d Conv => conv;
    /// <summary>Input frames a stream keeps between calls.</summary>
    public int StateFrames => (int)conv.weight.shape[3] - 1;

    public override Tensor forward(Tensor x) => conv.call(F.pad(x, [StateFrames, 0, 0, 0]));
}

/// <summary>2× up in frequency and time by a 4×4 transposed convolution whose output is cut to the first 2T frames:
/// frame j depends on input frames ⌊j/2⌋ − 1 and ⌊j/2⌋ only (overlapping, so no blockiness at input frame
/// boundaries, and causal). A stream keeps one input frame.</summary>
public sealed class CausalUpsample : nn.Module<Tensor, Tensor>
{
    readonly ConvTranspose2d conv;

    public CausalUpsample(int inChannels, int outChannels) : base(nameof(CausalUpsample))
    {
        conv = nn.ConvTranspose2d(inChannels, outChannels, (4, 4), stride: (2, 2), padding: (1, 0));
        RegisterComponents();
    }

    internal ConvTranspose2d Conv => conv;

    public override Tensor forward(Tensor x) => conv.call(x).narrow(3, 0, 2 * x.shape[3]);
}
