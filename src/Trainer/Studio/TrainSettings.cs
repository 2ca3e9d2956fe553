using System.Globalization;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;

namespace Distill.Trainer.Studio;

/// <summary>One row of the page's configuration table: <see cref="Source"/> is <c>(auto)</c> (chosen from the data),
/// <c>(default)</c> (fixed default) or <c>(override)</c> (the user's value).</summary>
public sealed record SettingRow(string Key, string Label, string Value, string Source, bool Editable);

/// <summary>
/// The values the page may change, by the CLI option names of <c>distill train</c> (<c>epochs</c>, <c>batch-size</c>,
/// …), turned into the same <see cref="TrainOptions"/>/<see cref="PriorOptions"/> the CLI resolves, and the resolved
/// configuration as rows.
/// </summary>
public static class TrainSettings
{
    /// <summary>Key → label, whether it is sized from the data (else a fixed default), and its allowed
    /// range.</summary>
    static readonly (string Key, string Label, bool Adaptive, double Min, double Max, bool Integer)[] Editable =
    [
        ("epochs", "epochs", true, 1, 10_000, true),
        ("batch-size", "batch size (crops per step)", false, 1, 1024, true),
        ("levels", "RVQ levels", false, 1, 8, true),
        ("codebook-size", "codebook size", true, 2, 4096, true),
        ("ema-decay", "EMA decay", true, 0, 0.9999, false),
        ("latent-dim", "latent dim", false, 2, 1024, true),
        ("learning-rate", "learning rate", true, 1e-6, 1, false),
        ("adversarial-epochs", "adversarial epochs (decoder only, last)", false, 0, 10_000, true),
        ("seed", "seed", false, 0, int.MaxValue, true),
        ("threads", "threads", true, 1, 256, true),
        ("prior-hidden", "prior hidden size", true, 16, 4096, true),
        ("prior-layers", "prior layers", true, 1, 48, true),
        ("prior-epochs", "prior epochs", false, 1, 10_000, true),
    ];

    public static (TrainOptions Train, PriorOptions Prior) Options(string folder, string runDir,
                                                                   IReadOnlyDictionary<string, double>? overrides)
    {
        var given = new Dictionary<string, double>();
        foreach (var (key, value) in overrides ?? new Dictionary<string, double>())
        {
            var spec = Editable.FirstOrDefault(e => e.Key == key);
            if (spec.Key is null)
                throw StudioRequestException.BadRequest(
                    $"'{key}' is not a setting (settings: {string.Join(", ", Editable.Select(e => e.Key))}).");
            if (!double.IsFinite(value) || value < spec.Min || value > spec.Max
                || (spec.Integer && value != Math.Floor(value)))
                throw StudioRequestException.BadRequest(string.Create(CultureInfo.InvariantCulture,

                    $"{spec.Label} must be {(spec.Integer ? "a whole number" : "a number")} from {spec.Min} " +
                    $"to {spec.Max}; got {value}."));
            given[key] = value;
        }
        int? Int(string key) => given.TryGetValue(key, out var v) ? (int)v : null;
        double? Real(string key) => given.TryGetValue(key, out var v) ? v : null;
        var train = new TrainOptions
        {
            Folder = folder, RunDir = runDir, Seed = Int("seed") ?? 1, Threads = Int("threads"), Epochs = Int("epochs"),
            BatchSize = Int("batch-size"), Levels = Int("levels"), CodebookSize = Int("codebook-size"),
            EmaDecay = Real("ema-decay"),
            LatentDim = Int("latent-dim"), LearningRate = Real("learning-rate"),
            AdversarialEpochs = Int("adversarial-epochs"),
        };
        return (train, new PriorOptions(Int("prior-hidden"), Int("prior-layers"), Int("prior-epochs")));
    }

    public static SettingRow[] Rows(RunConfig c, Corpus corpus, PriorOptions prior,
                                    IReadOnlyDictionary<string, double>? overrides)
    {
        var (hidden, layers) = AdaptiveSizing.Prior(c.PriorTokens);
        string Value(string key) => key switch
        {
            "epochs" => c.Epochs.ToString(), "batch-size" => c.BatchSize.ToString(),
            "levels" => c.Model.Levels.ToString(), "codebook-size" => c.Model.CodebookSize.ToString(),
            "ema-decay" => c.Model.EmaDecay.ToString(CultureInfo.InvariantCulture),
            "latent-dim" => c.Model.LatentDim.ToString(),
            "learning-rate" => c.LearningRate.ToString(CultureInfo.InvariantCulture),
            "adversarial-epochs" => c.AdversarialEpochs.ToString(),
            "seed" => c.Seed.ToString(), "threads" => c.Threads.ToString(),
            "prior-hidden" => (prior.Hidden ?? hidden).ToString(),
            "prior-layers" => (prior.Layers ?? layers).ToString(),
            _ => (prior.Epochs ?? RunConfig.DefaultPriorEpochs).ToString(),
        };
        string validation = c.Split.ValidatesOnTraining ? "same as train" : c.Split.Validation.Length.ToString();
        var rows = new List<SettingRow>

        {
            new("files", "files (train / validation)", $"{c.Split.Train.Length} / {validation}", "(data)", false),
            new("steps", "steps (epochs × steps per epoch)", $"{c.Epochs} × {c.StepsPerEpoch} = {c.TotalSteps}",
                "(auto)", false),
        };
        foreach (var e in Editable)
        {
            bool overridden = overrides?.ContainsKey(e.Key) == true;
            string source = overridden ? "(override)" : e.Adaptive ? "(auto)" : "(default)";
            rows.Add(new(e.Key, e.Label, Value(e.Key), source, true));

        }
        return rows.ToArray();
    }
}
