using Distill.Trainer.Data;
using Distill.Trainer.Torch;


namespace Distill.Trainer.Autoencoder;

/// <summary>What the autoencoder's training loop runs on: the data split and its statistics, the model's shape and
/// the loop's settings.</summary>
public record AutoencoderTraining : TrainingSchedule
{
    public required DataSplit Split { get; init; }
    public required FeatureStats Stats { get; init; }
    public required AutoencoderConfig Model { get; init; }
    public int CropFrames { get; init; } = 64;
    public double GradientClip { get; init; } = 1.0;
    public int HealthEvery { get; init; } = 10;
    /// <summary>Utilization below this (after epoch 0) is warned about.</summary>
    public double LowUtilizationPercent { get; init; } = 25;
    /// <summary>Last epochs in which the decoder alone trains, against a <see cref="SpectrogramDiscriminator"/> as
    /// well as the reconstruction losses (0: none).</summary>
    public int AdversarialEpochs { get; init; }
    public double AdversarialWeight { get; init; } = 0.5;
    public double FeatureMatchingWeight { get; init; } = 1.0;
    public double DiscriminatorLearningRate { get; init; } = 2e-4;

    public long AdversarialFromStep => (long)(Epochs - AdversarialEpochs) * StepsPerEpoch;

    public AutoencoderTraining()
    {
        Epochs = 30;
        LearningRate = 2e-3;
    }
}

/// <summary>Progress that a checkpoint carries besides the weights.</summary>
public sealed record TrainingState
{
    public long NextStep { get; init; }
    public double? LastValidationLoss { get; init; }
    public List<string> UtilizationWarnings { get; init; } = new();
}
