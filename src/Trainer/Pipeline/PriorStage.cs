using Distill.Runtime.Text;
using Distill.Trainer.Data;
using Distill.Trainer.Export;
using Distill.Trainer.Prior;
using Distill.Trainer.Telemetry;
using Distill.Trainer.Torch;

namespace Distill.Trainer.Pipeline;

/// <summary>
/// The second stage of a run: encode every clip with the trained autoencoder, train the code prior on the first four
/// fifths of every clip (reporting bits/token per level on the last fifth against the unigram baseline), keep its best
/// weights, export the world and play an example.
/// </summary>
public sealed class PriorStage(IRunObserver observer)
{
    public const string ExampleFile = "example.wav";

    public TrainingEnd Run(string runDir, Corpus corpus, PriorOptions options, CancellationToken cancel)
    {
        observer.OnStage(RunStage.Prior);
        var run = TrainedRun.Open(runDir);
        if (!run.AutoencoderComplete)
            throw new UserFacingException($"The autoencoder in '{runDir}' has not finished; " +
                                          $"run: distill train --resume {runDir}");

        RunFolder.RemoveTemporaries(runDir);
        var sequences = Codes(run, corpus);

        string dir = run.PriorDirectory;
        string checkpoint = Path.Combine(dir, PriorTrainer.CheckpointFile);
        PriorTrainer trainer;
        PriorRunConfig config;
        if (Checkpoint.Exists(checkpoint))
        {
            var (_, header, tensors) = Checkpoint.LoadNewestIntact(
                checkpoint, PriorCheckpointHeader.FromJson, UserWarning.Print,
                $"The autoencoder is intact: delete '{dir}' and resume to train the prior again.");
            config = header.Config;
            observer.OnNotice($"Resuming the prior at step {header.State.NextStep} of {config.TotalSteps}.");
            trainer = new PriorTrainer(config, sequences, dir, header.State, tensors);
        }
        else
        {
            config = run.Config.ResolvePrior(options, sequences);
            observer.OnConfiguration("Prior configuration", RunConfig.Rows(config));
            trainer = new PriorTrainer(config, sequences, dir);
        }

        var outcome = Train(trainer, config, dir, run.Folder, cancel);
        if (outcome.End == TrainingEnd.Interrupted)
        {
            observer.OnNotice($"Interrupted after prior step {outcome.Steps}; checkpoint saved. " +
                              $"Continue with: distill train --resume {runDir}");
            return TrainingEnd.Interrupted;
        }
        string world = Path.Combine(runDir, WorldExport.DefaultFile);
        var manifest = TrainedRun.Open(runDir).Export(world);
        observer.OnNotice($"World: {Path.GetFullPath(world)} ({manifest.Anchors.Length} anchors). " +
                          $"Play it: distill install-world {world}, then load the Distill plugin.");
        WriteExample(world, run.Config.Split.Train[0], sequences, run.Folder);
        return TrainingEnd.Completed;
    }

    /// <summary>Every clip's codes: those saved by an earlier start, or encoded now (and saved) when there are none, they
    /// are damaged or they predate the clips' powers or spectra (which set the anchors' gains and spectrum
    /// corrections); encoding again gives the same codes.</summary>
    CodeSequence[] Codes(TrainedRun run, Corpus corpus)
    {
        string path = Path.Combine(run.Folder, TrainedRun.CodesFile);
        if (Checkpoint.Exists(path))
        {
            try
            {
                var saved = run.LoadCodes();
                if (!TrainedRun.PredateClipLevels(saved)) return saved;
                observer.OnNotice(
                    $"{path} predates per-clip levels and spectra: encoding the clips again (same codes).");
            }
            catch (UserFacingException e) { UserWarning.Print($"{e.Message} Encoding the clips again."); }
        }
        var sequences = CodeCorpus.Encode(run.Autoencoder, corpus, run.Config.Stats);
        TrainedRun.SaveCodes(path, sequences);
        return sequences;
    }

    PriorOutcome Train(PriorTrainer trainer, PriorRunConfig config, string dir, string runDir, CancellationToken cancel)
    {
        int levels = config.Prior.Levels;
        var columns = new[] { "loss_bits", "val_bits" }
            .Concat(Enumerable.Range(0, levels).SelectMany(l => new[] { $"bits_l{l}", $"unigram_l{l}" })).ToArray();
        using var metrics = new MetricsLog(dir, columns, append: File.Exists(Path.Combine(dir, "metrics.csv")));
        using var board = new TensorBoardWriter(Path.Combine(runDir, "tensorboard"));
        void OnEpoch(PriorEpochReport r)
        {
            var values = new Dictionary<string, double>
            {
                ["loss_bits"] = r.TrainLoss, ["val_bits"] = r.ValidationBits,
            };

            for (int l = 0; l < levels; l++)
            {
                values[$"bits_l{l}"] = r.LevelBits[l];
                values[$"unigram_l{l}"] = r.UnigramBits[l];
                board.AddScalar($"prior/val_bits_l{l}", (float)r.LevelBits[l], r.Step);
                board.AddScalar($"prior/unigram_bits_l{l}", (float)r.UnigramBits[l], r.Step);
            }
            metrics.Log("val", r.Epoch, r.Step, values);
            board.AddScalar("prior/train_bits", (float)r.TrainLoss, r.Step);
            board.AddScalar("prior/val_bits", (float)r.ValidationBits, r.Step);
            board.Flush();
            observer.OnPriorEpoch(config, r);
        }
        observer.OnNotice("Prior: bits/token on validation per level, unigram baseline in brackets (* = new best)");
        return trainer.Run(cancel, OnEpoch);
    }

    /// <summary>A first listen: the world played as the plugin plays it, 8 s of the note whose anchor is the first
    /// training clip, continued freely by the prior at temperature 0.9.</summary>
    void WriteExample(string world, int anchor, IReadOnlyList<CodeSequence> anchors, string runDir)
    {
        string path = Path.Combine(runDir, ExampleFile);
        var note = new WorldNote(WorldNote.KeyFor(anchor, anchors.Count), Seconds: 8);
        note.Write(world, path);
        observer.OnNotice($"Generated example: {Path.GetFullPath(path)} ({note.Seconds:F1} s, " +
                          $"continuing '{DisplayText.Escape(anchors[anchor].Name)}')");
    }
}
