using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>Log-mel image [B, 1, mels, frames] → latents [B, D, mels/16, frames/16]: a stem, then
/// stride-2 4×4 convolutions, each followed by a residual block below full resolution.</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    readonly Conv2d stem, project;
    readonly ModuleList<nn.Module<Tensor, Tensor>> stages = new();

    public Encoder(AutoencoderConfig c) : base(nameof(Encoder))
    {
        stem = nn.Conv2d(1, c.StemChannels, 3, padding: 1);
        int inCh = c.StemChannels;
        for (int s = 0; s < c.DownStages; s++)
        {
            int outCh = c.StageChannels[s];
            var layers = new List<nn.Module<Tensor, Tensor>>
            {
                nn.GELU(), nn.Conv2d(inCh, outCh, 4, stride: 2, padding: 1),
            };

            if (s > 0) layers.Add(new ResidualBlock(outCh));
            stages.Add(nn.Sequential(layers));
            inCh = outCh;
        }
        project = nn.Conv2d(inCh, c.LatentDim, 1);
        RegisterComponents();
    }

    // Layers in forward order, for the ONNX exporter.
    internal Conv2d Stem => stem;
    internal IEnumerable<nn.Module<Tensor, Tensor>> Stages => stages;
    internal Conv2d Project => project;

    public override Tensor forward(Tensor melImage)
    {
        var h = stem.call(melImage);
        foreach (var stage in stages) h = stage.call(h);
        return project.call(F.gelu(h));
    }
}
