using System.Text.Json;
using Distill.Runtime.Dsp;
using Distill.Trainer.Models;
using Distill.Trainer.Prior;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Training;

/// <summary>
/// A finished run folder opened for use: the autoencoder's configuration and weights, the code
/// sequences of its clips (anchors), and the prior when one has been trained.
/// </summary>
public sealed class TrainedRun
{
    public const string CodesFile = "codes.bin", PriorFolder = "prior";
    public required string Folder { get; init; }
    public required RunConfig Config { get; init; }
    public required Autoencoder Autoencoder { get; init; }
    public bool AutoencoderComplete { get; init; }
    public required TrainingState State { get; init; }

    public static TrainedRun Open(string folder)
    {
        string path = Path.Combine(folder, AutoencoderTrainer.CheckpointFile);
        if (!Checkpoint.Exists(path)) throw new UserFacingException($"'{folder}' is not a Distill run folder (no {AutoencoderTrainer.CheckpointFile}).");
        var (_, header, tensors) = Checkpoint.LoadNewestIntact(path, CheckpointHeader.FromJson, UserWarning.Print);
        var model = new Autoencoder(header.Config.Model);
        Checkpoint.LoadInto(model, tensors, "model.");
        model.eval();
        return new TrainedRun
        {
            Folder = folder, Config = header.Config, Autoencoder = model, State = header.State,
            AutoencoderComplete = header.State.NextStep >= header.Config.TotalSteps,
        };
    }

    /// <summary>What <see cref="CodesFile"/> records of each clip besides its codes.</summary>
    sealed record CodesHeader(string Name, int TimeSteps);

    public string PriorDirectory => Path.Combine(Folder, PriorFolder);

    public static void SaveCodes(string path, IReadOnlyList<CodeSequence> sequences) =>
        Checkpoint.Save(path, JsonSerializer.Serialize(sequences.Select(s => new CodesHeader(s.Name, s.TimeSteps)).ToArray()),
                        sequences.Select((s, i) => ($"clip{i}", Tensors.Copy(s.Tokens))));

    public CodeSequence[] LoadCodes()
    {
        string path = Path.Combine(Folder, CodesFile);
        if (!Checkpoint.Exists(path)) throw new UserFacingException($"'{Folder}' has no encoded clips ({CodesFile}); train the prior first.");
        var (_, clips, tensors) = Checkpoint.LoadNewestIntact(path, json => JsonSerializer.Deserialize<CodesHeader[]>(json)!, UserWarning.Print);
        if (clips.Length != tensors.Count || clips.Length != Config.Files.Length)
            throw new UserFacingException($"{path} does not hold one code sequence per training file; run: distill train --resume {Folder}");
        return clips.Select((c, i) => new CodeSequence(c.Name, tensors[$"clip{i}"].data<long>().ToArray(), c.TimeSteps)).ToArray();
    }

    /// <summary>The prior's best weights (lowest validation loss).</summary>
    public CodePrior LoadPrior()
    {
        string path = Path.Combine(PriorDirectory, PriorTrainer.BestFile);
        if (!Checkpoint.Exists(path)) throw new UserFacingException($"'{Folder}' has no trained prior ({PriorFolder}/{PriorTrainer.BestFile}).");
        var (_, header, tensors) = Checkpoint.LoadNewestIntact(path, PriorCheckpointHeader.FromJson, UserWarning.Print,
                                                               $"Delete '{PriorDirectory}' and run distill train --resume {Folder} to train the prior again.");
        var prior = new CodePrior(header.Config.Prior);
        Checkpoint.LoadInto(prior, tensors, "model.");
        prior.eval();
        return prior;
    }

    /// <summary>Codes (flattened time → frequency → level) → audio at the model rate: the decoder's
    /// linear log-magnitude head, de-normalised, then Griffin–Lim phase reconstruction.</summary>
    public float[] Render(long[] tokens, int depth, int iterations = 64, ulong seed = 1)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var m = Config.Model;
        int steps = tokens.Length / (m.FrequencyPositions * m.Levels);
        var codes = Tensors.Copy(tokens, 1, steps, m.FrequencyPositions, m.Levels);
        var (_, logMagnitude) = Autoencoder.Decode(codes, depth); // [1, bins, frames]
        var magnitude = (logMagnitude[0].t() * Config.Stats.MagnitudeStd + Config.Stats.MagnitudeMean).exp().contiguous();
        var frames = (int)magnitude.shape[0];
        var features = new FeatureConfig();
        return new GriffinLim(features.NFft, features.Hop).Reconstruct(magnitude.data<float>().ToArray(), frames,
                                                                        (frames - 1) * features.Hop, iterations, seed: seed);
    }
}
