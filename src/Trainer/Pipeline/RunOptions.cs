
namespace Distill.Trainer.Pipeline;

/// <summary>User-given values for a new run; null means "choose from the dataset".</summary>
public sealed record TrainOptions
{
    public required string Folder { get; init; }
    public required string RunDir { get; init; }
    public int Seed { get; init; } = 1;
    public int? Threads { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public int? Levels { get; init; }
    public int? CodebookSize { get; init; }
    public double? EmaDecay { get; init; }
    public int? LatentDim { get; init; }
    public double? LearningRate { get; init; }
    public int? AdversarialEpochs { get; init; }
}

/// <summary>User overrides for the prior; null means sized from the dataset.</summary>
public sealed record PriorOptions(int? Hidden = null, int? Layers = null, int? Epochs = null)
{
    /// <summary>These options, with any not given taken from <paramref name="earlier"/>.</summary>
    public PriorOptions Over(PriorOptions earlier) =>
        new(Hidden ?? earlier.Hidden, Layers ?? earlier.Layers, Epochs ?? earlier.Epochs);
}

/// <summary>One row of a configuration table: a setting, its value, and whether it is (auto), (default), (override)
/// or (fixed) / (data).</summary>
public sealed record ConfigurationRow(string Setting, string Value, string Source);
