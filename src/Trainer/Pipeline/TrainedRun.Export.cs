using Distill.Runtime.Bundle;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Export;
using Distill.Trainer.Prior;
using Distill.Trainer.Telemetry;

namespace Distill.Trainer.Pipeline;

public sealed partial class TrainedRun
{
    /// <summary>The finished run as one <c>.distill</c> world at <paramref name="path"/>, with how training
    /// went.</summary>

    public WorldManifest Export(string path, string? name = null, PriorWeights priorWeights = PriorWeights.Float32)
    {
        if (!AutoencoderComplete)
            throw new UserFacingException($"The autoencoder in '{Folder}' has not finished; " +
                                          $"run: distill train --resume {Folder}");
        var prior = LoadPrior();
        var codes = LoadCodes();
        if (PredateClipLevels(codes))
            UserWarning.Print($"{CodesFile} in '{Folder}' predates per-clip levels and spectra: the anchors play at " +
                              $"the decoder's level and spectrum. To measure them: distill train --resume {Folder}");
        // The prior's best weights date the world, so exporting the same run twice gives the same bundle.
        var created = File.GetLastWriteTimeUtc(Path.Combine(PriorDirectory, PriorTrainer.BestFile));
        name ??= Path.GetFileName(Path.GetFullPath(Folder).TrimEnd(Path.DirectorySeparatorChar));
        return WorldExport.Write(path, Autoencoder, Config.Stats, prior, codes, name, created, Summary(codes),
                                 priorWeights);
    }

    /// <summary>Codebook health over every clip's codes; the prior's best validation epoch against the unigram
    /// baseline.</summary>
    TrainingSummary Summary(IReadOnlyList<CodeSequence> codes)
    {
        var m = Config.Model;
        var counts = CodebookHealth.NewCounts(m.Levels, m.CodebookSize);
        foreach (var c in codes)
            for (int i = 0; i < c.Tokens.Length; i++) counts[i % m.Levels][c.Tokens[i]]++;
        var health = CodebookHealth.Summarise(counts)
            .Select(h => new LevelHealthSummary(h.Level, h.UtilizationPercent, h.Perplexity, h.DeadCodes)).ToArray();
        var best = MetricsLog.Read(PriorDirectory)
            .Where(r => r.Phase == "val" && r.Values.TryGetValue("val_bits", out double bits) && double.IsFinite(bits))
            .MinBy(r => r.Values["val_bits"]);
        double[] Levels(string prefix)
        {
            var values = best is null
                ? []
                : Enumerable.Range(0, m.Levels).Select(l => best.Values.GetValueOrDefault($"{prefix}{l}", double.NaN))
                            .ToArray();
            return values.All(double.IsFinite) ? values : [];
        }
        return new TrainingSummary
        {
            Files = Config.Files.Length,
            Seconds = codes.Sum(c => c.TimeSteps) / WorldExport.StepsPerSecond(m),
            AutoencoderSteps = State.NextStep,
            // A loss that is not a number says nothing; the world records it as unknown.
            ValidationLoss = State.LastValidationLoss is { } loss && double.IsFinite(loss) ? loss : null,
            CodebookHealth = health,
            PriorSteps = best?.Step + 1 ?? 0,
            PriorBits = Levels("bits_l"),
            UnigramBits = Levels("unigram_l"),
            Seed = Config.Seed,
        };
    }
}
