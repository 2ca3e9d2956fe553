using Distill.Runtime.Sampling;

namespace Distill.Trainer.Torch;

public enum TrainingEnd { Completed, Interrupted }

/// <summary>
/// The settings both stages' training loops share, resolved at a run's start and stored in its checkpoints: the seed
/// of every random draw, threads, length, batch and the learning-rate schedule.
/// </summary>
public abstract record TrainingSchedule
{
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = 1;
    public int Epochs { get; init; }
    public int StepsPerEpoch { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; }
    public int WarmupSteps { get; init; } = 30;
    /// <summary>Names of the values the user set explicitly; the rest were chosen automatically.</summary>
    public string[] Overrides { get; init; } = [];

    public long TotalSteps => (long)Epochs * StepsPerEpoch;

    /// <summary>Linear warm-up, then cosine decay to 10 % of the peak.</summary>
    public double LearningRateAt(long step)
    {
        if (step < WarmupSteps) return LearningRate * (step + 1) / WarmupSteps;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(progress, 1))));
    }

    /// <summary>The seed of every random draw of <paramref name="step"/>: a run stopped after any step and resumed
    /// draws exactly what an uninterrupted one draws.</summary>
    public int StepSeed(long step) => StepSeed(Seed, step);

    public static int StepSeed(int seed, long step) =>
        (int)(SeedMix.Mix((ulong)seed * SeedMix.Golden + (ulong)step + 0x632BE59BD9B4E019UL) & int.MaxValue);

    /// <summary>Steps of <paramref name="batchSize"/> windows of <paramref name="window"/> items each that cover
    /// <paramref name="items"/> once (an epoch).</summary>
    public static int StepsFor(long items, int batchSize, int window) =>
        (int)Math.Max(1, (items + (long)batchSize * window - 1) / ((long)batchSize * window));

    /// <summary>The user's explicit settings by name, for <see cref="Overrides"/>.</summary>
    public static string[] Given(params (string Name, object? Value)[] options) =>
        options.Where(o => o.Value is not null).Select(o => o.Name).ToArray();
}
