using Distill.Trainer.Torch;


namespace Distill.Trainer.Autoencoder;

public sealed record LossValues(double Total, double Mel, double Stft, double Commitment);

/// <summary>The adversarial phase's terms of one step: the discriminator's hinge loss, the decoder's, and feature
/// matching.</summary>
public sealed record AdversarialValues(double Discriminator, double Adversarial, double FeatureMatching);

public sealed record StepReport(int Epoch, long Step, long TotalSteps, LossValues Loss, double LearningRate,
                                int LevelsUsed, LevelHealth[]? BatchHealth, double StepsPerSecond,
                                AdversarialValues? Adversarial = null);

public sealed record EpochReport(int Epoch, long Step, LossValues Validation, LevelHealth[] Health,
                                 double SecondsPerEpoch);

/// <summary>What a training loop tells its user interface (live display, logs, tests).</summary>
public interface ITrainingObserver
{
    void OnStep(StepReport report);
    void OnEpoch(EpochReport report);
    void OnMessage(string message);
}

public sealed record TrainingOutcome(TrainingEnd End, long Steps, EpochReport? LastValidation,
                                     IReadOnlyList<string> UtilizationWarnings);

