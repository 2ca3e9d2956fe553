using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Export;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;


namespace Distill.Trainer.Studio;

/// <summary>
/// The studio's one training run, in this process, as <c>distill train</c> runs it (<see cref="WorldTraining"/>): the
/// autoencoder, then the prior, then the export, then the evaluation. Stop is the CLI's Ctrl+C (a checkpoint is saved
/// and the run can be resumed); so is the server stopping. Everything the run reports goes to <see cref="Events"/>.
/// </summary>
public sealed class TrainingRun : IRunObserver
{
    readonly object gate = new();
    CancellationTokenSource? cancel;
    Task? running;
    string state = "idle", stage = "", message = "";
    string? runDir;

    public TrainingEvents Events { get; } = new();

    public object Status
    {
        get { lock (gate) return new { state, stage, message, runDir }; }
    }

    /// <summary>A new run of <paramref name="corpus"/> (already loaded, so a folder without audio was refused
    /// before).</summary>
    public void Start(TrainOptions options, PriorOptions prior, Corpus corpus) =>
        Begin(options.RunDir, token => new WorldTraining(this).Start(options, prior, () => corpus, token));

    /// <summary>Continues whichever stage is unfinished, as <c>distill train --resume</c>.</summary>
    public void Resume(string folder)
    {
        string path = Path.Combine(folder, AutoencoderTrainer.CheckpointFile);
        if (!File.Exists(path))
            throw StudioRequestException.BadRequest(
                $"'{folder}' holds no checkpoint ({AutoencoderTrainer.CheckpointFile}) to resume from.");
        Begin(folder, token => new WorldTraining(this).Resume(folder, new PriorOptions(), token));
    }

    /// <summary>Asks the run to save and stop; returns at once (the state event tells when it has).</summary>
    public void Stop()
    {
        lock (gate)
        {
            if (state != "running") throw StudioRequestException.Conflict("No training is running.");
            SetState("stopping", "Stopping: saving a checkpoint…");
            cancel!.Cancel();
        }
    }

    /// <summary>For the server's shutdown: stop and wait until the checkpoint is saved.</summary>
    public void StopAndWait()
    {
        Task? task;
        lock (gate)
        {
            cancel?.Cancel();
            task = running;
        }
        task?.Wait();
    }

    void Begin(string folder, Func<CancellationToken, TrainingEnd> work)
    {
        lock (gate)
        {
            if (state is "running" or "stopping")
                throw StudioRequestException.Conflict($"A training run is already going ({runDir}); stop it first.");
            Events.Clear();
            runDir = folder;
            cancel = new CancellationTokenSource();
            SetState("running", "Starting…");
            var token = cancel.Token;
            running = Task.Factory.StartNew(() => Finish(() => work(token)), TaskCreationOptions.LongRunning);
        }
    }

    void Finish(Func<TrainingEnd> work)
    {
        try
        {
            var end = work();
            lock (gate)
                SetState(end == TrainingEnd.Completed ? "finished" : "stopped",
                         end == TrainingEnd.Completed
                             ? $"Finished: the world is {Path.Combine(runDir!, WorldExport.DefaultFile)}"
                             : "Stopped; checkpoint saved. Resume continues where it stopped.");
        }
        catch (Exception e)
        {
            // UserFacingException and friends carry a sentence for the user; nothing else is known to, so say where
            // to look.
            string why = e is UserFacingException or StudioRequestException or IOException or InvalidDataException
                ? e.Message
                : $"Training failed: {e.Message} (the terminal running distill studio has the details)";
            if (e is not UserFacingException and not StudioRequestException) Console.Error.WriteLine(e);
            lock (gate) SetState("failed", why);
        }
    }

    void SetState(string next, string text)
    {
        state = next; message = text;
        Events.Add("state", new { state, stage, message, runDir });
    }

    public void OnStep(StepReport r) =>
        Events.Add("step",
                   new { r.Epoch, r.Step, r.TotalSteps, r.Loss, r.LearningRate, r.BatchHealth, r.StepsPerSecond });


    public void OnEpoch(EpochReport r) => Events.Add("epoch", new { r.Epoch, r.Step, r.Validation, r.Health });

    public void OnMessage(string text) => Events.Add("message", new { text });

    public void OnPriorEpoch(PriorRunConfig config, PriorEpochReport r) =>
        Events.Add("prior", new { r.Epoch, r.Step, r.TrainLoss, r.ValidationBits, r.LevelBits, r.UnigramBits });

    public void OnEvaluation(WorldEvaluation evaluation, string path) =>
        Events.Add("evaluation", new { path, evaluation.Splits });

    public void OnCorpus(Corpus corpus) { }

    /// <summary>The page shows its own configuration table (<see cref="TrainSettings"/>).</summary>
    public void OnConfiguration(string title, IReadOnlyList<ConfigurationRow> rows) { }

    public void OnStage(RunStage next)
    {
        lock (gate) stage = next.ToString().ToLowerInvariant();
    }

    public TrainingOutcome Watch(RunConfig config, Func<TrainingOutcome> autoencoder) => autoencoder();

    public void OnAutoencoderFinished(RunConfig config, TrainingOutcome outcome) { }

    /// <summary>Said on the server's terminal, as <c>distill train</c> says it.</summary>
    public void OnNotice(string text) => Console.WriteLine(text);
}
