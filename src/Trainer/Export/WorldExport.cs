using System.Reflection;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Inference;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Prior;

namespace Distill.Trainer.Export;

/// <summary>
/// Trained models → one <c>.distill</c> bundle: the three graphs, the anchors (every clip's codes), and a
/// manifest describing the audio, the grid, both models and how training went.
/// </summary>
public static class WorldExport
{
    public const string DefaultFile = "world.distill";

    /// <summary>The manifest's description of a prior: its ring cache keeps the last ContextTokens − 1 tokens, so
    /// with the token being read a step sees the training window.</summary>
    public static PriorShape ShapeOf(PriorConfig p) =>
        new(p.Hidden, p.Layers, p.Heads, p.Hidden / p.Heads, p.ContextSteps, p.TokensPerStep, p.ContextTokens,
            p.ContextTokens - 1, p.RopeBase, p.KeyValueHeads);

    /// <summary>Writes a bundle from models in memory (a run's, or the benchmark's untrained ones).</summary>
    public static WorldManifest Write(string path, RvqAutoencoder autoencoder, FeatureStats stats, CodePrior prior,
                                      IReadOnlyList<CodeSequence> anchors, string name, DateTimeOffset created,
                                      TrainingSummary training, PriorWeights priorWeights = PriorWeights.Float32)
    {
        var (decoder, decoderState) = OnnxExport.Decoder(autoencoder, stats);
        var graphs = new WorldGraphFiles(OnnxExport.Encoder(autoencoder, stats), decoder,
                                         OnnxExport.PriorStep(prior, priorWeights));
        var version = typeof(WorldExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>();
        var m = autoencoder.Config;
        var f = new FeatureConfig();
        var manifest = new WorldManifest
        {
            Name = name,
            Producer = $"distill {version?.InformationalVersion.Split('+')[0] ?? "?"}",
            Created = created,
            Audio = new AudioParameters(f.SampleRate, f.NFft, f.Hop, f.Mels, f.FMin, f.FMax, f.LogFloor,
                                        stats.MelMean, stats.MelStd, stats.MagnitudeMean, stats.MagnitudeStd),
            Grid = new GridShape(m.FrequencyPositions, WorldGraphs.FramesPerStep, StepsPerSecond(m)),
            Quantizer = new QuantizerShape(m.Levels, m.CodebookSize, m.LatentDim),
            Prior = ShapeOf(prior.Config),
            DecoderState = decoderState,

            Training = training,
            Anchors = anchors.Select(c => new Anchor(c.Name, c.TimeSteps, AnchorCodes.Encode(c.Tokens))).ToArray(),
            Members = [],
        };
        manifest = AnchorSpectra.Apply(manifest, graphs, anchors);
        manifest = AnchorGains.Apply(manifest, graphs, anchors);
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

    public static double StepsPerSecond(AutoencoderConfig m) => new FeatureConfig().FramesPerSecond / m.Downsampling;
}
