using TorchSharp;
using static TorchSharp.torch;
using Distill.Trainer.Data;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

public sealed record AutoencoderOutput(Tensor Mel, Tensor LogMagnitude, Tensor Codes, Tensor Commitment);

public sealed record AutoencoderLosses(Tensor Total, Tensor Mel, Tensor Stft, Tensor Commitment);

/// <summary>Encoder → residual VQ (each time×frequency position quantized independently) → decoder.</summary>
public sealed class RvqAutoencoder : nn.Module
{
    public AutoencoderConfig Config { get; }
    public readonly Encoder Encoder;
    public readonly ResidualQuantizer Quantizer;
    public readonly Decoder Decoder;

    public RvqAutoencoder(AutoencoderConfig config) : base(nameof(RvqAutoencoder))
    {
        Config = config;
        Encoder = new Encoder(config);
        Quantizer = new ResidualQuantizer(config.Levels, config.CodebookSize, config.LatentDim, config.EmaDecay,
                                          config.DeadCodeThreshold, config.Commitment, config.QuantizeDropout);
        Decoder = new Decoder(config);
        RegisterComponents();
    }

    /// <summary>[B, D, F, T'] → [B·T'·F, D], rows ordered time, then frequency (the prior's order).</summary>
    public static Tensor ToVectors(Tensor latents) => latents.permute(0, 3, 2, 1).reshape(-1, latents.shape[1]);

    public static Tensor FromVectors(Tensor vectors, long batch, long freq, long time) =>
        vectors.reshape(batch, time, freq, -1).permute(0, 3, 2, 1);

    /// <param name="mel">Normalised log-mel [B, 1, mels, frames], frames a multiple of 16.</param>
    public AutoencoderOutput Forward(Tensor mel, bool training, int levelsUsed, Random? random = null)
    {
        var z = Encoder.call(mel);
        long b = z.shape[0], f = z.shape[2], t = z.shape[3];
        var q = Quantizer.Quantize(ToVectors(z), training, levelsUsed, random);
        var (melOut, logMag) = Decoder.call(FromVectors(q.Quantized, b, f, t));
        return new AutoencoderOutput(melOut, logMag, q.Codes.reshape(b, t, f, -1), q.Commitment);
    }

    /// <summary>Stops the encoder's and codebooks' weights from moving (an optimizer skips them), for the decoder's
    /// adversarial phase.</summary>
    public void FreezeEncoderAndCodebooks()
    {
        foreach (var p in Encoder.parameters().Concat(Quantizer.parameters())) p.requires_grad = false;
    }

    /// <summary>The adversarial phase's pass: codes from the encoder and codebooks as they are (no gradient, no
    /// codebook updates), so the decoder alone learns, and the codes the prior will model stay put.</summary>
    public AutoencoderOutput ForwardFixedCodes(Tensor mel, int levelsUsed)
    {
        QuantizerOutput q;
        long b, f, t;
        using (torch.no_grad())
        {
            var z = Encoder.call(mel);
            (b, f, t) = (z.shape[0], z.shape[2], z.shape[3]);
            q = Quantizer.Quantize(ToVectors(z), training: false, levelsUsed);
        }
        var (melOut, logMag) = Decoder.call(FromVectors(q.Quantized, b, f, t));
        return new AutoencoderOutput(melOut, logMag, q.Codes.reshape(b, t, f, -1), torch.zeros(Array.Empty<long>()));
    }

    /// <summary>Codes [B, T', F, L] for a normalised log-mel batch, deterministic (no training updates).</summary>
    public Tensor Encode(Tensor mel)
    {
        var z = Encoder.call(mel);
        long b = z.shape[0], f = z.shape[2], t = z.shape[3];
        return Quantizer.Quantize(ToVectors(z), training: false, Config.Levels).Codes.reshape(b, t, f, -1);
    }

    /// <summary>Codes [B, T', F, L] → (log-mel, log-magnitude) using the first <paramref name="depth"/>
    /// levels.</summary>

    public (Tensor Mel, Tensor LogMagnitude) Decode(Tensor codes, int depth)
    {
        long b = codes.shape[0], t = codes.shape[1], f = codes.shape[2];
        var vectors = Quantizer.Decode(codes.reshape(-1, codes.shape[3]), depth);
        return Decoder.call(FromVectors(vectors, b, f, t));
    }

    /// <summary>Multi-scale L1 on the log-mel (full, 2×, 4× average-pooled, equally weighted) + L1 on the linear
    /// log-magnitude head + its spectral convergence + commitment. L1 on logs alone fits the median of each bin's
    /// log power, below its mean, and weighs a quiet frame as much as a transient; spectral convergence works on
    /// linear magnitudes, so loud events and the power level count as the ear counts them.</summary>
    public static AutoencoderLosses Losses(AutoencoderOutput output, Tensor targetMel, Tensor targetLogMagnitude,
                                           FeatureStats stats)
    {
        var mel = MultiScaleMelLoss(output.Mel, targetMel);
        var stft = F.l1_loss(output.LogMagnitude, targetLogMagnitude)
                   + SpectralConvergence(Linear(output.LogMagnitude, stats), Linear(targetLogMagnitude, stats));
        return new AutoencoderLosses(mel + stft + output.Commitment, mel, stft, output.Commitment);
    }

    /// <summary>Linear magnitudes, the natural log capped at <see cref="MaxLogMagnitude"/>: an overshooting
    /// prediction early in training must not overflow or blow up the gradient of exp.</summary>
    static Tensor Linear(Tensor logMagnitude, FeatureStats stats) =>
        (logMagnitude * stats.MagnitudeStd + stats.MagnitudeMean).clamp_max(MaxLogMagnitude).exp();

    /// <summary>ln of a magnitude well above any real frame's (a full-scale sine peaks at ~ln 512 with a 2048 Hann
    /// window).</summary>
    const double MaxLogMagnitude = 10;

    /// <summary>‖|X| − |Y|‖ / ‖|X|‖ over the whole batch: per example, a near-silent crop would divide by almost
    /// nothing.</summary>
    public static Tensor SpectralConvergence(Tensor predicted, Tensor target) =>
        (predicted - target).norm() / (target.norm() + 1e-7);

    public static Tensor MultiScaleMelLoss(Tensor predicted, Tensor target)
    {
        var loss = F.l1_loss(predicted, target);
        foreach (int s in new[] { 2, 4 })
            loss = loss + F.l1_loss(F.avg_pool2d(predicted, s), F.avg_pool2d(target, s));
        return loss / 3;
    }
}
