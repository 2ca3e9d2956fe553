using System.Text.Json;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Telemetry;
using Distill.Trainer.Torch;

namespace Distill.Trainer.Pipeline;

/// <summary>
/// One training run, for <c>distill train</c> and the studio alike: the autoencoder, then the prior over its codes,
/// then the exported world and its example, then the world evaluated on the validation clips. Cancelling saves a
/// checkpoint; resuming continues whichever stage is unfinished.
/// </summary>
public sealed class WorldTraining(IRunObserver observer)
{
    public const string ConfigFile = "config.json", SummaryFile = "summary.json", CurvesFile = "curves.png";

    /// <summary>A new run in <paramref name="options"/>' run folder, on the corpus <paramref name="read"/> returns
    /// (read once the folder is known to be usable, so a bad output path is refused before any audio is
    /// read).</summary>
    public TrainingEnd Start(TrainOptions options, PriorOptions prior, Func<Corpus> read, CancellationToken cancel)
    {
        RunFolder.RefuseInsideInput(options.Folder, options.RunDir);
        bool created = RunFolder.Prepare(options.RunDir);
        Corpus corpus;
        try
        {
            corpus = read();
        }
        catch (UserFacingException) when (created)
        {
            Directory.Delete(options.RunDir); // leave no empty run folder behind a failed start
            throw;
        }
        var config = RunConfig.Resolve(options, corpus, prior);
        observer.OnConfiguration("Configuration", config.Rows());
        var end = TrainAutoencoder(config, corpus, options.RunDir, null, null, cancel);
        return end == TrainingEnd.Completed ? PriorThenEvaluation(options.RunDir, config, corpus, prior, cancel) : end;
    }

    /// <summary>Continues whichever stage is unfinished; <paramref name="prior"/> options given now win over those
    /// the run started with.</summary>
    public TrainingEnd Resume(string runDir, PriorOptions prior, CancellationToken cancel)
    {
        string path = Path.Combine(runDir, AutoencoderTrainer.CheckpointFile);
        if (!Checkpoint.Exists(path))
            throw new UserFacingException(
                $"'{runDir}' holds no checkpoint ({AutoencoderTrainer.CheckpointFile}) to resume from.");
        RunFolder.RemoveTemporaries(runDir);
        var (_, header, tensors) = Checkpoint.LoadNewestIntact(
            path, CheckpointHeader.FromJson, UserWarning.Print,
            "Start a new run: distill train <folder> -o <new run folder>");
        var config = header.Config;
        var corpus = RunCorpus.ReadUnchanged(config, observer.OnCorpus);
        if (header.State.NextStep < config.TotalSteps)
        {
            observer.OnNotice($"Resuming {runDir} at step {header.State.NextStep} of {config.TotalSteps}.");
            var end = TrainAutoencoder(config, corpus, runDir, header.State, tensors, cancel);
            if (end != TrainingEnd.Completed) return end;
        }
        return PriorThenEvaluation(runDir, config, corpus, prior.Over(config.Prior), cancel);
    }

    /// <summary>Trains (or continues) only the prior, on the finished autoencoder in
    /// <paramref name="runDir"/>.</summary>
    public TrainingEnd PriorOnly(string runDir, PriorOptions prior, CancellationToken cancel)
    {
        var config = TrainedRun.Open(runDir).Config;
        var corpus = RunCorpus.ReadUnchanged(config, observer.OnCorpus);
        return PriorThenEvaluation(runDir, config, corpus, prior, cancel);
    }

    /// <summary>The prior stage and, once it completes, <c>distill evaluate</c> on the run's validation clips (its
    /// training clips where it validates on them), written to the run folder. The world is finished by then, so an
    /// evaluation that cannot be made is said and the run still completes.</summary>
    TrainingEnd PriorThenEvaluation(string runDir, RunConfig config, Corpus corpus, PriorOptions prior,
                                    CancellationToken cancel)
    {
        var end = new PriorStage(observer).Run(runDir, corpus, prior, cancel);
        if (end != TrainingEnd.Completed) return end;
        observer.OnStage(RunStage.Evaluation);
        var split = config.Split;
        observer.OnNotice(split.ValidatesOnTraining
            ? "Evaluating the world on its training clips: the run has too few files to hold any back for validation."
            : $"Evaluating the world on its {split.Validation.Length} validation clips.");
        try
        {
            var evaluation = WorldEvaluation.Run(
                runDir, null, split.ValidatesOnTraining ? WorldEvaluation.Train : WorldEvaluation.Validation);
            string path = WorldEvaluation.ReportPath(runDir);
            evaluation.Write(path);
            observer.OnEvaluation(evaluation, path);
        }
        catch (UserFacingException e)
        {
            observer.OnNotice($"No evaluation: {e.Message}");
        }
        return end;
    }

    TrainingEnd TrainAutoencoder(RunConfig config, Corpus corpus, string runDir, TrainingState? state,
                                 IReadOnlyDictionary<string, TorchSharp.torch.Tensor>? tensors,
                                 CancellationToken cancel)

    {
        File.WriteAllText(Path.Combine(runDir, ConfigFile), JsonSerializer.Serialize(config, Checkpoint.Json));
        observer.OnStage(RunStage.Autoencoder);
        var trainer = new AutoencoderTrainer(config, corpus, runDir, observer, state, tensors);
        var outcome = observer.Watch(config, () => trainer.Run(cancel));
        observer.OnAutoencoderFinished(config, outcome);
        if (outcome.End == TrainingEnd.Interrupted)
        {
            observer.OnNotice($"Interrupted after step {outcome.Steps}; checkpoint saved. " +
                              $"Continue with: distill train --resume {runDir}");
            return TrainingEnd.Interrupted;
        }
        WriteResults(runDir, outcome);
        return TrainingEnd.Completed;
    }

    void WriteResults(string runDir, TrainingOutcome outcome)
    {
        TrainingCurvesPlot.Save(Path.Combine(runDir, CurvesFile), MetricsLog.Read(runDir));
        var summary = new
        {
            steps = outcome.Steps,
            validation = outcome.LastValidation?.Validation,
            codebook_health = outcome.LastValidation?.Health,
            utilization_warnings = outcome.UtilizationWarnings,
        };
        File.WriteAllText(Path.Combine(runDir, SummaryFile), JsonSerializer.Serialize(summary, Checkpoint.Json));
        observer.OnNotice($"Results in {Path.GetFullPath(runDir)}: checkpoint.bin, metrics.csv, metrics.jsonl, " +
                          $"tensorboard/, {CurvesFile}, {SummaryFile}");
    }
}
