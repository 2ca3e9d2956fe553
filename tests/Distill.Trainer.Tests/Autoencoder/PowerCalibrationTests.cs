using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class PowerCalibrationTests(SmallCorpusFixture data, ITestOutputHelper output) : IClassFixture<SmallCorpusFixture>
{
    /// <summary>Σ|X|² per bin of the targets and of the decoded magnitudes over every window of the corpus.</summary>
    static (double[] Target, double[] Decoded) BinPowers(RvqAutoencoder model, CropBatcher windows, FeatureStats s)
    {
        using var noGrad = torch.no_grad();
        model.eval();
        var target = new double[model.Config.StftBins];
        var decoded = new double[target.Length];
        foreach (var batch in windows.Windows(8))
        {
            using var scope = torch.NewDisposeScope();
            var y = model.Forward(batch.Mel, training: false, model.Config.Levels).LogMagnitude;
            Tensor Power(Tensor logMagnitude) => (2 * (logMagnitude * s.MagnitudeStd + s.MagnitudeMean)).exp().sum([0, 2]).to(ScalarType.Float64);
            var t = Power(batch.LogMagnitude).data<double>().ToArray();
            var d = Power(y).data<double>().ToArray();
            for (int k = 0; k < target.Length; k++) { target[k] += t[k]; decoded[k] += d[k]; }
        }
        return (target, decoded);
    }

    static double Db(double ratio) => 10 * Math.Log10(ratio);

    /// <summary>Training ends by calibrating: then every bin's decoded power over the training windows equals the
    /// input's, or is closer by the ±12 dB the calibration may correct at most.</summary>
    [Fact]
    public void TrainingEndsWithADecoderThatMatchesTheInputPowerInEveryBin()
    {
        var config = data.TinyConfig(epochs: 3);
        var split = config.Split.Train.Select(i => data.Corpus.Clips[i]).ToArray();
        var trainer = new AutoencoderTrainer(config, data.Corpus, data.NewRunDir("calibration"), new NullObserver());
        trainer.Run(CancellationToken.None);
        var model = trainer.Model;
        var windows = new CropBatcher(split, config.Stats, config.Model.Mels, config.Model.StftBins, config.CropFrames);

        var (target, after) = BinPowers(model, windows, config.Stats);
        var offsets = model.Decoder.PowerCalibrationOffsets.data<float>().ToArray();
        model.Decoder.PowerCalibrationOffsets.zero_();
        var (_, before) = BinPowers(model, windows, config.Stats);

        // Each bin's gap closes, up to the limit: |after| = max(0, |before| − limit).
        var gaps = Enumerable.Range(0, target.Length)
            .Select(k => (Before: Db(before[k] / target[k]), After: Db(after[k] / target[k]))).ToArray();
        double worst = gaps.Max(g => Math.Abs(Math.Abs(g.After) - Math.Max(0, Math.Abs(g.Before) - PowerCalibration.LimitDb)));
        int closed = gaps.Count(g => Math.Abs(g.Before) < PowerCalibration.LimitDb);
        output.WriteLine($"{closed} of {target.Length} bins within ±{PowerCalibration.LimitDb} dB closed; worst deviation from the " +
                         $"expected gap {worst:F4} dB; total {Db(before.Sum() / target.Sum()):F2} → {Db(after.Sum() / target.Sum()):F2} dB");
        Assert.True(closed > 0 && gaps.Any(g => Math.Abs(g.Before) > 1), "the test needs bins off by 1–12 dB");
        Assert.True(worst < 0.01, $"a bin's gap after calibration is off by {worst:F4} dB from max(0, |before| − limit)");
        Assert.All(gaps, g => Assert.True(Math.Sign(g.Before) * g.After >= -0.01, "calibration never overshoots"));
        Assert.All(offsets, o => Assert.InRange(Math.Abs(o * config.Stats.MagnitudeStd), 0, PowerCalibration.LimitDb / 20 * Math.Log(10) + 1e-5));
    }
}
