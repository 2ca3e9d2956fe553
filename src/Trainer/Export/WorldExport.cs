using System.Reflection;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Inference;
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
        var graphs = new WorldGraphFiles(OnnxExport.Encoder(run.Autoencoder, run.Config.Stats), OnnxExport.Decoder(run.Autoencoder, run.Config.Stats),
                                         OnnxExport.PriorStep(prior));
        var manifest = Manifest(run, prior.Config, codes, name ?? Path.GetFileName(Path.GetFullPath(run.Folder).TrimEnd(Path.DirectorySeparatorChar)));
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

    static WorldManifest Manifest(TrainedRun run, PriorConfig prior, IReadOnlyList<CodeSequence> codes, string name)
    {
        var m = run.Config.Model;
        var f = new FeatureConfig();
        var s = run.Config.Stats;
        double stepsPerSecond = f.FramesPerSecond / m.Downsampling;
        return new WorldManifest
        {
            Name = name,
            Producer = $"distill {typeof(WorldExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?"}",
            // The prior's best weights date the world, so exporting the same run twice gives the same bundle.
            Created = File.GetLastWriteTimeUtc(Path.Combine(run.PriorDirectory, PriorTrainer.BestFile)),
            Audio = new AudioParameters(f.SampleRate, f.NFft, f.Hop, f.Mels, f.FMin, f.FMax, f.LogFloor, s.MelMean, s.MelStd, s.MagnitudeMean, s.MagnitudeStd),
            Grid = new GridShape(m.FrequencyPositions, WorldGraphs.FramesPerStep, stepsPerSecond),
            Quantizer = new QuantizerShape(m.Levels, m.CodebookSize, m.LatentDim),
            Prior = new PriorShape(prior.Hidden, prior.Layers, prior.Heads, prior.Hidden / prior.Heads, prior.ContextSteps, prior.TokensPerStep,
                                   prior.ContextTokens, prior.ContextTokens - 1, prior.RopeBase),
            Training = Summary(run, codes, stepsPerSecond),
            Anchors = codes.Select(c => new Anchor(c.Name, c.TimeSteps, AnchorCodes.Encode(c.Tokens))).ToArray(),
            Members = [],
        };
    }

    /// <summary>Codebook health over every clip's codes; the prior's best validation epoch against the unigram baseline.</summary>
    static TrainingSummary Summary(TrainedRun run, IReadOnlyList<CodeSequence> codes, double stepsPerSecond)
    {
        var m = run.Config.Model;
        var counts = CodebookHealth.NewCounts(m.Levels, m.CodebookSize);
        foreach (var c in codes)
            for (int i = 0; i < c.Tokens.Length; i++) counts[i % m.Levels][c.Tokens[i]]++;
        var health = CodebookHealth.Summarise(counts)
            .Select(h => new LevelHealthSummary(h.Level, h.UtilizationPercent, h.Perplexity, h.DeadCodes)).ToArray();
        var best = MetricsLog.Read(run.PriorDirectory).Where(r => r.Phase == "val" && r.Values.ContainsKey("val_bits"))
                             .MinBy(r => r.Values["val_bits"]);
        double[] Levels(string prefix) => best is null ? [] : Enumerable.Range(0, m.Levels).Select(l => best.Values[$"{prefix}{l}"]).ToArray();
        return new TrainingSummary
        {
            Files = run.Config.Files.Length,
            Seconds = codes.Sum(c => c.TimeSteps) / stepsPerSecond,
            AutoencoderSteps = run.State.NextStep,
            ValidationLoss = run.State.LastValidationLoss,
            CodebookHealth = health,
            PriorSteps = best?.Step + 1 ?? 0,
            PriorBits = Levels("bits_l"),
            UnigramBits = Levels("unigram_l"),
            Seed = run.Config.Seed,
        };
    }
}
