
namespace Distill.Trainer.Prior;

/// <summary>
/// Shape of the code prior. Tokens are the autoencoder's codes flattened time step, then frequency
/// position, then RVQ level, so one time step is <see cref="TokensPerStep"/> tokens.
/// </summary>
public sealed record PriorConfig
{
    public int Hidden { get; init; } = 128;
    public int Layers { get; init; } = 2;
    /// <summary>Heads of 32 dimensions each: 4 / 8 / 16 for the three size tiers.</summary>
    public int Heads => Hidden / 32;
    /// <summary>Query heads that share one key/value head (grouped-query attention): the key/value cache the engine
    /// reads for every token of every voice is this many times smaller. 1, a key and value per head, in runs that
    /// predate it.</summary>
    public int QueriesPerKeyValue { get; init; } = 1;
    public int KeyValueHeads => Heads / QueriesPerKeyValue;
    public int FeedForward => 4 * Hidden;
    public int Levels { get; init; } = 4;
    public int CodebookSize { get; init; } = 64;
    public int FrequencyPositions { get; init; } = 8;
    /// <summary>Training window in time steps (16 ≈ 2.7 s); generation slides a window of this size.</summary>
    public int ContextSteps { get; init; } = 16;
    /// <summary>Dropout on the input, attention and MLP outputs: high, for folders of a few minutes of sound.</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>Dropout on the attention weights themselves: for the smallest folders, where the prior overfits
    /// most and training is quick; 0 lets libtorch use its fused causal kernel (<see cref="CausalSelfAttention"/>).
    /// Runs that predate it had 0.2.</summary>
    public double AttentionDropout { get; init; } = 0.2;
    /// <summary>Probability that a training window's previous tokens are each replaced by a random code (targets kept),
    /// so the prior learns to recover from its own unlikely draws instead of running away with them.</summary>
    public double TokenNoise { get; init; } = 0.05;
    /// <summary>Probability that a training window is shown no anchor histogram (zeros).</summary>
    public double ConditionDropout { get; init; } = 0.1;
    /// <summary>Shortest stretch of a clip whose histogram conditions a training window.</summary>
    public int ConditionMinSteps { get; init; } = 4;
    public double RopeBase { get; init; } = 10000;

    public int TokensPerStep => FrequencyPositions * Levels;
    public int ContextTokens => ContextSteps * TokensPerStep;

    public int LevelOf(long slot) => (int)(slot % Levels);
    public int FrequencyOf(long slot) => (int)(slot / Levels % FrequencyPositions);
    public long TimeOf(long slot) => slot / TokensPerStep;
}
