using System.Text.Json;
using Distill.Runtime.Dsp;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;

namespace Distill.Trainer.Pipeline;

/// <summary>Everything that determines a training run, resolved and frozen at its start; stored in
/// every checkpoint so that --resume continues exactly the same run.</summary>
public sealed record RunConfig : AutoencoderTraining
{
    public const int DefaultEpochs = 30, DefaultPriorEpochs = 40, DefaultAdversarialEpochs = 0;

    public int FormatVersion { get; init; } = 1;
    public required string InputFolder { get; init; }
    public required string[] Files { get; init; }
    /// <summary>The user's prior settings, kept so that --resume trains the prior they asked for.</summary>
    public PriorOptions Prior { get; init; } = new();
    /// <summary>Training tokens the prior will see, estimated from the clips' lengths (0 in runs made before it was
    /// recorded); the prior is sized from the actual count once the clips are encoded.</summary>
    public long PriorTokens { get; init; }

    /// <summary>The autoencoder stage's configuration: the user's values, the rest sized from the corpus.</summary>
    public static RunConfig Resolve(TrainOptions o, Corpus corpus, PriorOptions? prior = null)
    {
        int files = corpus.Clips.Count;
        var split = DataSplit.ByFile(files, o.Seed);
        var defaults = new AutoencoderConfig();
        var model = defaults with
        {
            CodebookSize = o.CodebookSize ?? AdaptiveSizing.CodebookSize(files),
            EmaDecay = o.EmaDecay ?? AdaptiveSizing.EmaDecay(files),
            Levels = o.Levels ?? defaults.Levels, LatentDim = o.LatentDim ?? defaults.LatentDim,
        };
        var baseline = new RunConfig
        {
            InputFolder = Path.GetFullPath(o.Folder), Files = corpus.Clips.Select(c => c.RelativePath).ToArray(),
            Split = split, Stats = FeatureStats.Of(split.Train.Select(i => corpus.Clips[i])), Model = model,
            Prior = prior ?? new PriorOptions(),
        };
        int batch = o.BatchSize ?? baseline.BatchSize;
        long trainFrames = split.Train.Sum(i => (long)corpus.Clips[i].Frames);
        int stepsPerEpoch = StepsFor(trainFrames, batch, baseline.CropFrames);
        int epochs = o.Epochs ?? AdaptiveSizing.AutoencoderEpochs(DefaultEpochs, stepsPerEpoch);
        return baseline with
        {
            PriorTokens = AdaptiveSizing.PriorTokens(corpus.Clips.Select(c => c.Frames), model.Downsampling,
                                                     model.FrequencyPositions * model.Levels),
            Seed = o.Seed, Threads = o.Threads ?? 1, Epochs = epochs,
            BatchSize = batch, StepsPerEpoch = stepsPerEpoch,
            LearningRate = o.LearningRate ?? AdaptiveSizing.LearningRate(files),
            AdversarialEpochs = Math.Min(o.AdversarialEpochs ?? DefaultAdversarialEpochs, epochs),
            Overrides = Given(("codebook-size", o.CodebookSize), ("ema-decay", o.EmaDecay), ("levels", o.Levels),
                              ("latent-dim", o.LatentDim), ("epochs", o.Epochs), ("batch-size", o.BatchSize),
                              ("threads", o.Threads), ("learning-rate", o.LearningRate),
                              ("adversarial-epochs", o.AdversarialEpochs)),
        };
    }

    /// <summary>The prior stage's configuration, on the codes of the training clips.</summary>
    /// <param name="clips">Every clip's codes: the prior learns the head of each (<see cref="TimeSplit"/>).</param>
    public PriorRunConfig ResolvePrior(PriorOptions o, IReadOnlyList<CodeSequence> clips)
    {
        long tokens = clips.Sum(s => (long)TimeSplit.HeadTokens(s).Length);
        var (hidden, layers) = AdaptiveSizing.Prior(tokens);
        var prior = new PriorConfig
        {
            Hidden = o.Hidden ?? hidden, Layers = o.Layers ?? layers,
            AttentionDropout = AdaptiveSizing.PriorAttentionDropout(tokens),
            QueriesPerKeyValue = AdaptiveSizing.PriorQueriesPerKeyValue(o.Hidden ?? hidden),
            Levels = Model.Levels, CodebookSize = Model.CodebookSize, FrequencyPositions = Model.FrequencyPositions,
        };
        var baseline = new PriorRunConfig { Prior = prior };
        int steps = StepsFor(tokens, baseline.BatchSize, prior.ContextTokens);
        return baseline with
        {
            // A few minutes of sound make epochs of a few steps: warm up over two of them at most.
            WarmupSteps = Math.Min(baseline.WarmupSteps, 2 * steps),
            TrainTokens = tokens,
            Seed = Seed, Threads = Threads, Epochs = o.Epochs ?? DefaultPriorEpochs,
            StepsPerEpoch = steps,
            Overrides = Given(("prior-hidden", o.Hidden), ("prior-layers", o.Layers), ("prior-epochs", o.Epochs)),
        };
    }

    string Source(string key, string otherwise = "(auto)") => Overrides.Contains(key) ? "(override)" : otherwise;

    public ConfigurationRow[] Rows()
    {
        var (hidden, layers) = AdaptiveSizing.Prior(PriorTokens);
        var features = new FeatureConfig();
        double stepsPerSecond = features.SampleRate / (double)features.Hop / Model.Downsampling;
        string validation = Split.ValidatesOnTraining ? "same as train" : Split.Validation.Length.ToString();
        return
        [
            new("files (train / validation)", $"{Split.Train.Length} / {validation}", "(data)"),
            new("codebook size", $"{Model.CodebookSize}", Source("codebook-size")),
            new("EMA decay", $"{Model.EmaDecay}", Source("ema-decay")),
            new("RVQ levels", $"{Model.Levels}", Source("levels", "(default)")),
            new("latent dim", $"{Model.LatentDim}", Source("latent-dim", "(default)")),
            new("prior (next stage)", $"{hidden} hidden / {layers} layers for ~{PriorTokens} tokens", "(auto)"),
            new("grid", $"{Model.FrequencyPositions} freq × {stepsPerSecond:F2} time steps/s", "(fixed)"),
            new("epochs × steps", $"{Epochs} × {StepsPerEpoch} = {TotalSteps}", Source("epochs")),
            new("adversarial phase", AdversarialEpochs > 0 ? $"last {AdversarialEpochs} epochs, decoder only" : "none",
                Source("adversarial-epochs", "(default)")),
            new("batch × crop", $"{BatchSize} × {CropFrames} frames", Source("batch-size", "(default)")),
            new("learning rate", $"{LearningRate}", Source("learning-rate")),
            new("seed / threads", $"{Seed} / {Threads}", Source("threads")),
        ];
    }

    public static ConfigurationRow[] Rows(PriorRunConfig c)
    {
        string Source(string key) => c.Overrides.Contains(key) ? "(override)" : "(auto)";
        var p = c.Prior;
        return
        [
            new("training tokens", $"{c.TrainTokens} (the first {TimeSplit.TrainFraction:P0} of every clip; " +
                                   "validation: the rest)", "(data)"),
            new("hidden / heads", $"{p.Hidden} / {p.Heads} ({p.KeyValueHeads} key/value)", Source("prior-hidden")),
            new("layers", $"{p.Layers}", Source("prior-layers")),
            new("context", $"{p.ContextSteps} time steps = {p.ContextTokens} tokens", "(default)"),
            new("regularisation", $"dropout {p.Dropout} (attention weights {p.AttentionDropout}), " +
                                  $"token noise {p.TokenNoise}", "(auto)"),
            new("anchor condition", $"histogram of {p.ConditionMinSteps}+ steps of the clip, none {p.ConditionDropout:P0}",
                "(default)"),
            new("epochs × steps", $"{c.Epochs} × {c.StepsPerEpoch} (early stop after {c.Patience} without gain)",
                Source("prior-epochs")),
        ];
    }
}

public sealed record CheckpointHeader(RunConfig Config, TrainingState State)
{
    public static CheckpointHeader FromJson(string json) =>
        JsonSerializer.Deserialize<CheckpointHeader>(json, Checkpoint.Json)
        ?? throw new InvalidDataException("empty checkpoint header");
}
