using System.Text.Json;
using System.Text.Json.Serialization;
using Distill.Trainer.Data;
using Distill.Trainer.Models;

namespace Distill.Trainer.Training;

/// <summary>Everything that determines a training run, resolved and frozen at its start; stored in
/// every checkpoint so that --resume continues exactly the same run.</summary>
public sealed record RunConfig
{
    public int FormatVersion { get; init; } = 1;
    public required string InputFolder { get; init; }
    public required string[] Files { get; init; }
    public required DataSplit Split { get; init; }
    public required FeatureStats Stats { get; init; }
    public required AutoencoderConfig Model { get; init; }
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public int Epochs { get; init; } = 30;
    public int StepsPerEpoch { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    public int CropFrames { get; init; } = 64;
    public double LearningRate { get; init; } = 2e-3;
    public int WarmupSteps { get; init; } = 30;
    public double GradientClip { get; init; } = 1.0;
    public int HealthEvery { get; init; } = 10;
    /// <summary>Utilization below this (after epoch 0) is warned about.</summary>
    public double LowUtilizationPercent { get; init; } = 25;
    /// <summary>The user's prior settings, kept so that --resume trains the prior they asked for.</summary>
    public Cli.PriorOptions Prior { get; init; } = new();
    /// <summary>Names of the values the user set explicitly; the rest were chosen automatically.</summary>
    public string[] Overrides { get; init; } = Array.Empty<string>();

    public long TotalSteps => (long)Epochs * StepsPerEpoch;

    public double LearningRateAt(long step) => WarmupCosine(step, LearningRate, WarmupSteps, TotalSteps);

    /// <summary>Linear warm-up, then cosine decay to 10 % of the peak (both models use it).</summary>
    public static double WarmupCosine(long step, double peak, int warmupSteps, long totalSteps)
    {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double progress = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(progress, 1))));
    }

    /// <summary>One epoch ≈ one pass over the training frames in random crops.</summary>
    public static int StepsFor(long trainingFrames, int batchSize, int cropFrames) =>
        (int)Math.Max(1, (trainingFrames + (long)batchSize * cropFrames - 1) / ((long)batchSize * cropFrames));

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>Progress that a checkpoint carries besides the weights.</summary>
public sealed record TrainingState
{
    public long NextStep { get; init; }
    public double? LastValidationLoss { get; init; }
    public List<string> UtilizationWarnings { get; init; } = new();
}

public sealed record CheckpointHeader(RunConfig Config, TrainingState State)
{
    public string ToJson() => JsonSerializer.Serialize(this, RunConfig.Json);
    public static CheckpointHeader FromJson(string json) =>
        JsonSerializer.Deserialize<CheckpointHeader>(json, RunConfig.Json) ?? throw new InvalidDataException("empty checkpoint header");
}
