using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Prior;


namespace Distill.Trainer.Pipeline;

public enum RunStage { Autoencoder, Prior, Evaluation }

/// <summary>What a run tells whoever started it (the console, the studio), stage by stage.</summary>
public interface IRunObserver : ITrainingObserver
{
    void OnStage(RunStage stage);

    /// <summary>The corpus a resumed run read back (before it is checked).</summary>
    void OnCorpus(Corpus corpus);

    void OnConfiguration(string title, IReadOnlyList<ConfigurationRow> rows);

    /// <summary>Runs the autoencoder stage (the console shows it live meanwhile).</summary>
    TrainingOutcome Watch(RunConfig config, Func<TrainingOutcome> autoencoder);

    void OnAutoencoderFinished(RunConfig config, TrainingOutcome outcome);

    void OnPriorEpoch(PriorRunConfig config, PriorEpochReport report);

    /// <summary>The finished world measured against its held-out clips, written to <paramref name="path"/>.</summary>
    void OnEvaluation(WorldEvaluation evaluation, string path);

    /// <summary>A line for the user: what is resumed, where results are, how to continue.</summary>
    void OnNotice(string text);
}
