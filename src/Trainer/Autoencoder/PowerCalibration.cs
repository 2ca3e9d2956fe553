using Distill.Trainer.Data;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Autoencoder;

/// <summary>
/// Makes the decoder level-true: a model trained on log magnitudes lands below each bin's mean power (the mean
/// of a log is below the log of the mean, the more so the more a bin fluctuates), so once training ends, each
/// bin's power over every training window is compared with the decoded power and the difference becomes the
/// decoder's <see cref="Decoder.PowerCalibrationOffsets"/> (at most ±<see cref="LimitDb"/>, so a bin the model
/// never reproduces cannot be blown up).
/// </summary>
public static class PowerCalibration
{
    public const double LimitDb = 12;

    public static void Fit(RvqAutoencoder model, CropBatcher windows, FeatureStats stats)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();
        var offsets = model.Decoder.PowerCalibrationOffsets;
        offsets.zero_();
        var target = torch.zeros(offsets.shape[0], dtype: ScalarType.Float64);
        var decoded = torch.zeros_like(target);
        foreach (var batch in windows.Windows(8))
        {
            NativeGarbage.CollectBetweenSteps();
            using var step = torch.NewDisposeScope();
            using var _ = batch;
            var output = model.Forward(batch.Mel, training: false, model.Config.Levels);
            target.add_(BinPower(batch.LogMagnitude, stats));
            decoded.add_(BinPower(output.LogMagnitude, stats));
        }
        // 0.5·ln(P_target / P_decoded) in natural-log magnitude, then in the head's normalised units.
        double limit = LimitDb / 20 * Math.Log(10);
        var gain = (0.5 * (target.clamp_min(1e-30) / decoded.clamp_min(1e-30)).log()).clamp(-limit, limit);
        offsets.copy_((gain / stats.MagnitudeStd).to(ScalarType.Float32));
    }

    /// <summary>Σ over examples and frames of |X|², per bin, for normalised log magnitudes [B, bins, frames].</summary>
    static Tensor BinPower(Tensor logMagnitude, FeatureStats stats) =>
        (2 * (logMagnitude * stats.MagnitudeStd + stats.MagnitudeMean)).exp().sum([0, 2]).to(ScalarType.Float64);
}
