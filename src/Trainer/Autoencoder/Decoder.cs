using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>Latents [B, D, mels/16, steps] → (log-mel [B, 1, mels, frames], log-magnitude STFT [B, bins, frames]).
/// Mirrors the encoder, but causal in time (<see cref="CausalConv2d"/>, <see cref="CausalUpsample"/>; the heads
/// are per frame), so the engine decodes each new step once, carrying state. The linear-STFT head exists because
/// phase reconstruction needs linear-frequency magnitudes that 128 mel bands cannot give back sharply.</summary>
public sealed class Decoder : nn.Module<Tensor, (Tensor Mel, Tensor LogMagnitude)>
{
    readonly Conv2d expand, melHead, stftMix;
    readonly Conv1d stftHead;
    readonly ModuleList<nn.Module<Tensor, Tensor>> stages = new();
    readonly Tensor powerCalibration;
    readonly int mels, headChannels;

    public Decoder(AutoencoderConfig c) : base(nameof(Decoder))
    {
        mels = c.Mels; headChannels = c.StftHeadChannels;
        int inCh = c.StageChannels[^1];
        expand = nn.Conv2d(c.LatentDim, inCh, 1);
        for (int s = c.DownStages - 1; s >= 0; s--)
        {
            int outCh = s > 0 ? c.StageChannels[s - 1] : c.StemChannels;
            var layers = new List<nn.Module<Tensor, Tensor>>();
            if (s > 0) layers.Add(new ResidualBlock(inCh, causal: true));
            layers.Add(nn.GELU());
            layers.Add(new CausalUpsample(inCh, outCh));
            stages.Add(nn.Sequential(layers));
            inCh = outCh;
        }
        melHead = nn.Conv2d(inCh, 1, (3, 1), stride: (1, 1), padding: (1, 0));
        stftMix = nn.Conv2d(inCh, headChannels, 1);
        stftHead = nn.Conv1d(headChannels * mels, c.StftBins, 1);
        powerCalibration = torch.zeros(c.StftBins);
        register_buffer("power_calibration", powerCalibration, persistent: true);
        RegisterComponents();
    }

    // Layers in forward order, for the ONNX exporter.
    internal Conv2d Expand => expand;
    internal IEnumerable<nn.Module<Tensor, Tensor>> Stages => stages;
    internal Conv2d MelHead => melHead;
    internal Conv2d StftMix => stftMix;
    internal Conv1d StftHead => stftHead;
    /// <summary>Per-bin offset of the normalised log-magnitude that makes the decoded power match the input's
    /// (<see cref="PowerCalibration"/>); zero while training.</summary>
    public Tensor PowerCalibrationOffsets => powerCalibration;

    public override (Tensor Mel, Tensor LogMagnitude) forward(Tensor latents)
    {
        var h = expand.call(latents);
        foreach (var stage in stages) h = stage.call(h);
        h = F.gelu(h);
        var mel = melHead.call(h);
        var mix = stftMix.call(h); // [B, C, mels, T]
        long b = mix.shape[0], t = mix.shape[3];
        var logMagnitude = stftHead.call(mix.reshape(b, headChannels * mels, t));
        return (mel, logMagnitude + powerCalibration.view(1, -1, 1));
    }
}
