using System.Text.Json;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Prior;

/// <summary>The prior's shape and its training loop's settings.</summary>
public sealed record PriorRunConfig : TrainingSchedule
{
    public required PriorConfig Prior { get; init; }
    /// <summary>Epochs without a new best validation loss before training stops early.</summary>
    public int Patience { get; init; } = 8;
    /// <summary>Tokens of the training clips (what the prior was sized from).</summary>
    public long TrainTokens { get; init; }

    public PriorRunConfig()
    {
        Epochs = 60;
        LearningRate = 1e-3;
    }
}

public sealed record PriorState
{
    public long NextStep { get; init; }
    public double BestValidation { get; init; } = double.PositiveInfinity;
    public int EpochsWithoutImprovement { get; init; }
    public bool StoppedEarly { get; init; }
}

public sealed record PriorCheckpointHeader(PriorRunConfig Config, PriorState State)
{
    public static PriorCheckpointHeader FromJson(string json) =>
        JsonSerializer.Deserialize<PriorCheckpointHeader>(json, Checkpoint.Json)
        ?? throw new InvalidDataException("empty prior checkpoint header");
}

public sealed record PriorOutcome(TrainingEnd End, long Steps, PriorEpochReport? LastValidation);

/// <summary>Per-level validation cross-entropy next to the unigram baseline, both in bits/token.</summary>
public sealed record PriorEpochReport(int Epoch, long Step, double TrainLoss, double ValidationBits, double[] LevelBits,
                                      double[] UnigramBits, bool Improved, double SecondsPerEpoch);

/// <summary>
/// Trains the prior on random code windows, validating per level at each epoch end, keeping the best
/// weights (<see cref="BestFile"/>) and stopping early when validation stops improving. Randomness
/// is seeded per step as in the autoencoder, so --resume is exact here too.
/// </summary>
public sealed class PriorTrainer
{
    public const string CheckpointFile = "checkpoint.bin", BestFile = "best.bin";
    readonly PriorRunConfig config;
    readonly string dir;
    readonly CodePrior prior;
    readonly Adam adam;
    readonly CodeSequence[] train;
    readonly ScoredWindow[] validation;
    readonly double[] unigram;
    PriorState state;

    public CodePrior Model => prior;

    /// <param name="clips">Every clip of the world: the prior learns the head of each and is validated on its tail
    /// (<see cref="TimeSplit"/>).</param>
    public PriorTrainer(PriorRunConfig config, IReadOnlyList<CodeSequence> clips, string dir,
                        PriorState? resumeState = null, IReadOnlyDictionary<string, Tensor>? resumeTensors = null)
    {
        this.config = config; this.dir = dir;
        train = clips.Select(TimeSplit.Head).ToArray();
        validation = TimeSplit.ValidationWindows(clips, config.Prior.ContextSteps).ToArray();
        TorchThreads.Use(config.Threads);
        torch.manual_seed(config.Seed).Dispose(); // weight initialisation draws from the default generator
        prior = new CodePrior(config.Prior);
        adam = new Adam(prior.named_parameters()) { WeightDecay = 0.01 };
        state = resumeState ?? new PriorState();
        if (resumeTensors is not null)
        {
            Checkpoint.LoadInto(prior, resumeTensors, "model.");
            foreach (var (name, t) in adam.State()) Checkpoint.CopyNamed(resumeTensors, name, t);
            adam.StepCount = state.NextStep;
        }
        unigram = CodeCorpus.UnigramEntropyBits(clips.Select(TimeSplit.Tail).ToArray(), config.Prior.Levels,
                                                config.Prior.CodebookSize);
        Directory.CreateDirectory(dir);
    }

    public PriorOutcome Run(CancellationToken cancel, Action<PriorEpochReport>? onEpoch = null,
                                                 Action<long, double>? onStep = null, long? stopAfterStep = null)
    {
        PriorEpochReport? last = null;
        double epochLoss = 0; int epochSteps = 0;
        var epochClock = System.Diagnostics.Stopwatch.StartNew();
        for (long step = state.NextStep; step < config.TotalSteps && !state.StoppedEarly; step++)
        {
            double loss = TrainStep(step);
            onStep?.Invoke(step, loss);
            epochLoss += loss; epochSteps++;
            state = state with { NextStep = step + 1 };
            if ((step + 1) % config.StepsPerEpoch == 0)
            {
                last = Validate((int)(step / config.StepsPerEpoch), step, epochLoss / epochSteps,
                                epochClock.Elapsed.TotalSeconds);
                epochLoss = 0; epochSteps = 0;
                epochClock.Restart();
                state = last.Improved
                    ? state with { BestValidation = last.ValidationBits, EpochsWithoutImprovement = 0 }
                    : state with { EpochsWithoutImprovement = state.EpochsWithoutImprovement + 1 };
                if (state.EpochsWithoutImprovement >= config.Patience) state = state with { StoppedEarly = true };
                if (last.Improved) Save(BestFile, withOptimizer: false);
                Save(CheckpointFile, withOptimizer: true);
                onEpoch?.Invoke(last);
            }
            if (cancel.IsCancellationRequested || step == stopAfterStep)
            {
                Save(CheckpointFile, withOptimizer: true);
                return new(TrainingEnd.Interrupted, step + 1, last);
            }
        }
        return new(TrainingEnd.Completed, state.NextStep, last);
    }

    double TrainStep(long step)
    {
        NativeGarbage.CollectBetweenSteps();
        using var scope = torch.NewDisposeScope();
        int seed = config.StepSeed(step);
        // Dropout has no generator argument: seed the default one, and drop the wrapper now.
        torch.manual_seed(seed).Dispose();
        var p = config.Prior;
        var random = new Random(seed);
        var picks = CodeCorpus.PickWindows(train, p.ContextSteps, config.BatchSize, random);
        var (inputs, targets) = CodeCorpus.Build(picks, p.TokensPerStep, p.ContextSteps);
        var histograms = AnchorHistograms.ForTraining(picks.Select(w => w.Clip), p, random);
        if (p.TokenNoise > 0)
            inputs = torch.where(torch.rand(inputs.shape) < p.TokenNoise,
                                 torch.randint(p.CodebookSize, inputs.shape, dtype: ScalarType.Int64), inputs);
        prior.train();
        var logits = prior.Forward(inputs, histograms, training: true);
        var loss = F.cross_entropy(logits.reshape(-1, config.Prior.CodebookSize), targets.reshape(-1));
        adam.ZeroGrad();
        loss.backward();
        // A non-finite update would poison every weight.
        if (double.IsFinite(adam.ClipGradNorm(1.0))) adam.Step(config.LearningRateAt(step));
        return loss.item<float>();
    }

    /// <summary>Cross-entropy per level over every held-out step of every clip, in bits/token.</summary>
    public (double Overall, double[] PerLevel) ValidationBits()
    {
        using var noGrad = torch.no_grad();
        prior.eval();
        var p = config.Prior;
        var sums = new double[p.Levels];
        double scored = 0;
        foreach (var windows in validation.Chunk(16))
        {
            NativeGarbage.CollectBetweenSteps();
            using var scope = torch.NewDisposeScope();
            var (inputs, targets) = CodeCorpus.Build(windows.Select(w => (w.Clip, w.StartStep)).ToArray(),
                                                     p.TokensPerStep, p.ContextSteps);
            var histograms = AnchorHistograms.ForValidation(windows, p);
            var nats = F.cross_entropy(prior.Forward(inputs, histograms).reshape(-1, p.CodebookSize), targets.reshape(-1),
                                       reduction: nn.Reduction.None);
            var mask = ScoredMask(windows, p);
            // Slot i has level i mod L: view [B·N] as [B·N/L, L] and reduce per column.
            var levelNats = (nats * mask).reshape(-1, p.Levels).sum(dim: 0).data<float>().ToArray();
            for (int l = 0; l < p.Levels; l++) sums[l] += levelNats[l];
            scored += mask.sum().item<float>() / p.Levels;
        }
        var perLevel = sums.Select(s => s / Math.Max(1, scored) / Math.Log(2)).ToArray();
        return (sums.Sum() / Math.Max(1, scored * p.Levels) / Math.Log(2), perLevel);
    }

    /// <summary>1 where a window's token lies in its scored steps, else 0: [B·N].</summary>
    static Tensor ScoredMask(ScoredWindow[] windows, PriorConfig p)
    {
        int n = p.ContextTokens;
        var mask = new float[windows.Length * n];
        for (int b = 0; b < windows.Length; b++)
            for (int i = 0; i < n; i++)
            {
                int step = windows[b].StartStep + i / p.TokensPerStep;
                mask[b * n + i] = step >= windows[b].ScoredFrom && step < windows[b].ScoredTo ? 1 : 0;
            }
        return Tensors.Copy(mask, mask.Length);
    }

    PriorEpochReport Validate(int epoch, long step, double trainLoss, double trainSeconds)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (overall, perLevel) = ValidationBits();
        return new PriorEpochReport(epoch, step, trainLoss / Math.Log(2), overall, perLevel, unigram,
                                    overall < state.BestValidation, trainSeconds + clock.Elapsed.TotalSeconds);
    }

    void Save(string file, bool withOptimizer)
    {
        var tensors = prior.state_dict().Select(kv => ("model." + kv.Key, kv.Value));
        if (withOptimizer) tensors = tensors.Concat(adam.State());
        var header = JsonSerializer.Serialize(new PriorCheckpointHeader(config, state), Checkpoint.Json);
        Checkpoint.Save(Path.Combine(dir, file), header, tensors);

    }
}
