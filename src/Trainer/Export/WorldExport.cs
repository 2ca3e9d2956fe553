using System.Reflection;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Inference;
using Distill.Trainer.Data;
using Distill.Trainer.Models;
using Distill.Trainer.Prior;
using Distill.Trainer.Telemetry;
using Distill.Trainer.Training;

namespace Distill.Trainer.Export;

/// <summary>
/// A finished run folder → one <c>.distill</c> bundle: the three graphs, the anchors (every clip's codes), and a
/// manifest describing the audio, the grid, both models and how training went.
/// </summary>
public static class WorldExport
{
    public const string DefaultFile = "world.distill";

    public static WorldManifest Write(TrainedRun run, string path, string? name = null)
    {
        if (!run.AutoencoderComplete)
            throw new UserFacingException($"The autoencoder in '{run.Folder}' has not finished; run: distill train --resume {run.Folder}");
        var prior = run.LoadPrior();
        var codes = run.LoadCodes();
        // The prior's best weights date the world, so exporting the same run twice gives the same bundle.
        var created = File.GetLastWriteTimeUtc(Path.Combine(run.PriorDirectory, PriorTrainer.BestFile));
        return Write(path, run.Autoencoder, run.Config.Stats, prior, codes,
                     name ?? Path.GetFileName(Path.GetFullPath(run.Folder).TrimEnd(Path.DirectorySeparatorChar)), created,
                     Summary(run, codes));
    }

    /// <summary>Writes a bundle from models in memory (a run's, or the benchmark's untrained ones).</summary>
    public static WorldManifest Write(string path, Autoencoder autoencoder, FeatureStats stats, CodePrior prior,
                                      IReadOnlyList<CodeSequence> anchors, string name, DateTimeOffset created, TrainingSummary training)
    {
        var graphs = new WorldGraphFiles(OnnxExport.Encoder(autoencoder, stats), OnnxExport.Decoder(autoencoder, stats), OnnxExport.PriorStep(prior));
        var m = autoencoder.Config;
        var p = prior.Config;
        var f = new FeatureConfig();
        var manifest = new WorldManifest
        {
            Name = name,
            Producer = $"distill {typeof(WorldExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?"}",
            Created = created,
            Audio = new AudioParameters(f.SampleRate, f.NFft, f.Hop, f.Mels, f.FMin, f.FMax, f.LogFloor, stats.MelMean, stats.MelStd, stats.MagnitudeMean, stats.MagnitudeStd),
            Grid = new GridShape(m.FrequencyPositions, WorldGraphs.FramesPerStep, StepsPerSecond(m)),
            Quantizer = new QuantizerShape(m.Levels, m.CodebookSize, m.LatentDim),
            Prior = new PriorShape(p.Hidden, p.Layers, p.Heads, p.Hidden / p.Heads, p.ContextSteps, p.TokensPerStep, p.ContextTokens, p.ContextTokens - 1, p.RopeBase),
            Training = training,
            Anchors = anchors.Select(c => new Anchor(c.Name, c.TimeSteps, AnchorCodes.Encode(c.Tokens))).ToArray(),
            Members = [],
        };
        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            return WorldBundleWriter.Write(path, manifest, graphs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write '{path}': {e.Message}");
        }
    }

    static double StepsPerSecond(AutoencoderConfig m) => new FeatureConfig().FramesPerSecond / m.Downsampling;

    /// <summary>Codebook health over every clip's codes; the prior's best validation epoch against the unigram baseline.</summary>
    static TrainingSummary Summary(TrainedRun run, IReadOnlyList<CodeSequence> codes)
    {
        var m = run.Config.Model;
        var counts = CodebookHealth.NewCounts(m.Levels, m.CodebookSize);
        foreach (var c in codes)
            for (int i = 0; i < c.Tokens.Length; i++) counts[i % m.Levels][c.Tokens[i]]++;
        var health = CodebookHealth.Summarise(counts)
            .Select(h => new LevelHealthSummary(h.Level, h.UtilizationPercent, h.Perplexity, h.DeadCodes)).ToArray();
        var best = MetricsLog.Read(run.PriorDirectory).Where(r => r.Phase == "val" && r.Values.TryGetValue("val_bits", out double bits) && double.IsFinite(bits))
                             .MinBy(r => r.Values["val_bits"]);
        double[] Levels(string prefix)
        {
            var values = best is null ? [] : Enumerable.Range(0, m.Levels).Select(l => best.Values.GetValueOrDefault($"{prefix}{l}", double.NaN)).ToArray();
            return values.All(double.IsFinite) ? values : [];
        }
        return new TrainingSummary
        {
            Files = run.Config.Files.Length,
            Seconds = codes.Sum(c => c.TimeSteps) / StepsPerSecond(m),
            AutoencoderSteps = run.State.NextStep,
            // A loss that is not a number says nothing; the world records it as unknown.
            ValidationLoss = run.State.LastValidationLoss is { } loss && double.IsFinite(loss) ? loss : null,
            CodebookHealth = health,
            PriorSteps = best?.Step + 1 ?? 0,
            PriorBits = Levels("bits_l"),
            UnigramBits = Levels("unigram_l"),
            Seed = run.Config.Seed,
        };
    }
}
