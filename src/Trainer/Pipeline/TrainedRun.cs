using System.Text.Json;
using Distill.Runtime.Bundle;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;

namespace Distill.Trainer.Pipeline;

/// <summary>
/// A finished run folder opened for use: the autoencoder's configuration and weights, the code
/// sequences of its clips (anchors), and the prior when one has been trained.
/// </summary>
public sealed partial class TrainedRun
{
    public const string CodesFile = "codes.bin", PriorFolder = "prior";
    public required string Folder { get; init; }
    public required RunConfig Config { get; init; }
    public required RvqAutoencoder Autoencoder { get; init; }
    public bool AutoencoderComplete { get; init; }
    public required TrainingState State { get; init; }

    public static TrainedRun Open(string folder)
    {
        string path = Path.Combine(folder, AutoencoderTrainer.CheckpointFile);
        if (!Checkpoint.Exists(path))
            throw new UserFacingException(
                $"'{folder}' is not a Distill run folder (no {AutoencoderTrainer.CheckpointFile}).");
        var (_, header, tensors) = Checkpoint.LoadNewestIntact(path, CheckpointHeader.FromJson, UserWarning.Print);
        var model = new RvqAutoencoder(header.Config.Model);
        Checkpoint.LoadInto(model, tensors, "model.");
        model.eval();
        return new TrainedRun
        {
            Folder = folder, Config = header.Config, Autoencoder = model, State = header.State,
            AutoencoderComplete = header.State.NextStep >= header.Config.TotalSteps,
        };
    }

    /// <summary>What <see cref="CodesFile"/> records of each clip besides its codes (runs encoded before the clip's
    /// power, levels or spectrum were kept read 0 or null).</summary>
    sealed record CodesHeader(string Name, int TimeSteps, double Power = 0, AnchorLevels? Levels = null,
                              double[]? SpectrumDb = null);

    public string PriorDirectory => Path.Combine(Folder, PriorFolder);

    public static void SaveCodes(string path, IReadOnlyList<CodeSequence> sequences) =>
        Checkpoint.Save(path,
                        JsonSerializer.Serialize(sequences.Select(s => new CodesHeader(s.Name, s.TimeSteps, s.Power,
                                                                                       s.Levels, s.SpectrumDb))
                                                          .ToArray()),
                        sequences.Select((s, i) => ($"clip{i}", Tensors.Copy(s.Tokens))));

    /// <summary>Whether <paramref name="codes"/> were encoded before clips' powers, levels or spectra were kept (their
    /// anchors' gains, ranges or spectrum corrections cannot be measured; encoding again gives the same codes, with
    /// all of them).</summary>
    public static bool PredateClipLevels(IEnumerable<CodeSequence> codes) =>
        codes.Any(c => c.Power <= 0 || c.Levels?.QuietestSecondDb is null || c.SpectrumDb is null);

    public CodeSequence[] LoadCodes()
    {
        string path = Path.Combine(Folder, CodesFile);
        if (!Checkpoint.Exists(path))
            throw new UserFacingException($"'{Folder}' has no encoded clips ({CodesFile}); train the prior first.");
        var (_, clips, tensors) = Checkpoint.LoadNewestIntact(
            path, json => JsonSerializer.Deserialize<CodesHeader[]>(json)!, UserWarning.Print);
        if (clips.Length != tensors.Count || clips.Length != Config.Files.Length)
            throw new UserFacingException($"{path} does not hold one code sequence per training file; " +
                                          $"run: distill train --resume {Folder}");
        return clips.Select((c, i) => new CodeSequence(c.Name, tensors[$"clip{i}"].data<long>().ToArray(), c.TimeSteps,
                                                    c.Power, c.Levels, c.SpectrumDb))
                    .ToArray();
    }

    /// <summary>The prior's best weights (lowest validation loss).</summary>
    public CodePrior LoadPrior()
    {
        string path = Path.Combine(PriorDirectory, PriorTrainer.BestFile);
        if (!Checkpoint.Exists(path))
            throw new UserFacingException($"'{Folder}' has no trained prior ({PriorFolder}/{PriorTrainer.BestFile}).");
        var (_, header, tensors) = Checkpoint.LoadNewestIntact(
            path, PriorCheckpointHeader.FromJson, UserWarning.Print,
            $"Delete '{PriorDirectory}' and run distill train --resume {Folder} to train the prior again.");
        if (!tensors.ContainsKey("model.anchor.first.weight"))
            throw new UserFacingException($"The prior in '{PriorDirectory}' was trained before priors were anchored " +
                                          $"(bundle format 3): delete that folder and run distill train --prior-only {Folder}.");
        var prior = new CodePrior(header.Config.Prior);
        Checkpoint.LoadInto(prior, tensors, "model.");
        prior.eval();
        return prior;
    }
}
