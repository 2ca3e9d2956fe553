using Distill.Runtime.Audio;
using Distill.Runtime.Sampling;
using Distill.Runtime.Text;
using Distill.Trainer.Data;
using Distill.Trainer.Prior;
using Distill.Trainer.Telemetry;
using Distill.Trainer.Training;
using Spectre.Console;
using TorchSharp;

namespace Distill.Trainer.Cli;

/// <summary>User overrides for the prior; null means sized from the dataset.</summary>
public sealed record PriorOptions(int? Hidden = null, int? Layers = null, int? Epochs = null);

/// <summary>
/// The second stage of <c>distill train</c>: encode every clip with the trained autoencoder, train
/// the code prior (reporting bits/token per level against the unigram baseline), keep its best
/// weights, and render a generated example.
/// </summary>
public static class PriorStage
{
    public const int DefaultEpochs = 40;
    public const string ExampleFile = "example.wav";

    /// <param name="onEpoch">Also told of every prior epoch (the studio's live view).</param>
    public static int Run(string runDir, Corpus corpus, PriorOptions options, CancellationToken cancel, Action<PriorEpochReport>? onEpoch = null)
    {
        var run = TrainedRun.Open(runDir);
        if (!run.AutoencoderComplete)
            throw new UserFacingException($"The autoencoder in '{runDir}' has not finished; run: distill train --resume {runDir}");

        RunFolder.RemoveTemporaries(runDir);
        var sequences = Codes(run, corpus);
        var train = run.Config.Split.Train.Select(i => sequences[i]).ToArray();
        var validation = run.Config.Split.Validation.Select(i => sequences[i]).ToArray();

        string dir = run.PriorDirectory;
        string checkpoint = Path.Combine(dir, PriorTrainer.CheckpointFile);
        PriorTrainer trainer;
        PriorRunConfig config;
        if (Checkpoint.Exists(checkpoint))
        {
            var (_, header, tensors) = Checkpoint.LoadNewestIntact(checkpoint, PriorCheckpointHeader.FromJson, UserWarning.Print,
                                                                 $"The autoencoder is intact: delete '{dir}' and resume to train the prior again.");
            config = header.Config;
            AnsiConsole.MarkupLineInterpolated($"Resuming the prior at step {header.State.NextStep} of {config.TotalSteps}.");
            trainer = new PriorTrainer(config, train, validation, dir, header.State, tensors);
        }
        else
        {
            config = Resolve(run, corpus.Clips.Count, train, options);
            PrintConfiguration(config);
            trainer = new PriorTrainer(config, train, validation, dir);
        }

        var outcome = Train(trainer, config, dir, run.Folder, cancel, onEpoch);
        if (outcome.End == TrainingEnd.Interrupted)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Interrupted after prior step {outcome.Steps}; checkpoint saved.[/] Continue with: distill train --resume {runDir}");
            return 130;
        }
        var finished = TrainedRun.Open(runDir);
        WriteExample(finished, sequences[run.Config.Split.Train[0]]);
        string world = Path.Combine(runDir, Export.WorldExport.DefaultFile);
        var manifest = Export.WorldExport.Write(finished, world);
        AnsiConsole.MarkupLineInterpolated($"World: [bold]{Path.GetFullPath(world)}[/] ({manifest.Anchors.Length} anchors). Play it: distill install-world {world}, then load the Distill plugin.");
        return 0;
    }

    /// <summary>Every clip's codes: those saved by an earlier start, or encoded now (and saved) when there are none or
    /// they are damaged; encoding again gives the same codes.</summary>
    static CodeSequence[] Codes(TrainedRun run, Corpus corpus)
    {
        string path = Path.Combine(run.Folder, TrainedRun.CodesFile);
        if (Checkpoint.Exists(path))
        {
            try { return run.LoadCodes(); }
            catch (UserFacingException e) { UserWarning.Print($"{e.Message} Encoding the clips again."); }
        }
        var sequences = CodeCorpus.Encode(run.Autoencoder, corpus, run.Config.Stats);
        TrainedRun.SaveCodes(path, sequences);
        return sequences;
    }

    public static PriorRunConfig Resolve(TrainedRun run, int files, IReadOnlyList<CodeSequence> train, PriorOptions o)
    {
        var (hidden, layers) = AdaptiveSizing.Prior(files);
        var m = run.Config.Model;
        var prior = new PriorConfig
        {
            Hidden = o.Hidden ?? hidden, Layers = o.Layers ?? layers,
            Levels = m.Levels, CodebookSize = m.CodebookSize, FrequencyPositions = m.FrequencyPositions,
        };
        long tokens = train.Sum(s => (long)s.Tokens.Length);
        var baseline = new PriorRunConfig { Prior = prior };
        var overrides = new List<string>();
        if (o.Hidden is not null) overrides.Add("prior-hidden");
        if (o.Layers is not null) overrides.Add("prior-layers");
        if (o.Epochs is not null) overrides.Add("prior-epochs");
        return baseline with
        {
            Seed = run.Config.Seed, Threads = run.Config.Threads, Epochs = o.Epochs ?? DefaultEpochs,
            StepsPerEpoch = (int)Math.Max(1, (tokens + (long)baseline.BatchSize * prior.ContextTokens - 1) / ((long)baseline.BatchSize * prior.ContextTokens)),
            Overrides = overrides.ToArray(),
        };
    }

    static void PrintConfiguration(PriorRunConfig c)
    {
        string Src(string name) => c.Overrides.Contains(name) ? "(override)" : "(auto)";
        var table = new Table().Title("Prior configuration").AddColumn("Setting").AddColumn("Value").AddColumn("Source");
        table.AddRow("hidden / heads", $"{c.Prior.Hidden} / {c.Prior.Heads}", Src("prior-hidden"));
        table.AddRow("layers", c.Prior.Layers.ToString(), Src("prior-layers"));
        table.AddRow("context", $"{c.Prior.ContextSteps} time steps = {c.Prior.ContextTokens} tokens", "(default)");
        table.AddRow("epochs × steps", $"{c.Epochs} × {c.StepsPerEpoch} (early stop after {c.Patience} without gain)", Src("prior-epochs"));
        AnsiConsole.Write(table);
    }

    static PriorOutcome Train(PriorTrainer trainer, PriorRunConfig config, string dir, string runDir, CancellationToken cancel,
                              Action<PriorEpochReport>? onEpoch)
    {
        int levels = config.Prior.Levels;
        var columns = new[] { "loss_bits", "val_bits" }.Concat(Enumerable.Range(0, levels).SelectMany(l => new[] { $"bits_l{l}", $"unigram_l{l}" })).ToArray();
        using var metrics = new MetricsLog(dir, columns, append: File.Exists(Path.Combine(dir, "metrics.csv")));
        using var board = new TensorBoardWriter(Path.Combine(runDir, "tensorboard"));
        void OnEpoch(PriorEpochReport r)
        {
            var values = new Dictionary<string, double> { ["loss_bits"] = r.TrainLoss, ["val_bits"] = r.ValidationBits };
            for (int l = 0; l < levels; l++)
            {
                values[$"bits_l{l}"] = r.LevelBits[l];
                values[$"unigram_l{l}"] = r.UnigramBits[l];
                board.AddScalar($"prior/val_bits_l{l}", (float)r.LevelBits[l], r.Step);
                board.AddScalar($"prior/unigram_bits_l{l}", (float)r.UnigramBits[l], r.Step);
            }
            metrics.Log("val", r.Epoch, r.Step, values);
            board.AddScalar("prior/train_bits", (float)r.TrainLoss, r.Step);
            board.AddScalar("prior/val_bits", (float)r.ValidationBits, r.Step);
            board.Flush();
            var perLevel = string.Join("  ", r.LevelBits.Select((b, l) => $"L{l} {b:F2} ({r.UnigramBits[l]:F2})"));
            Console.WriteLine($"prior epoch {r.Epoch + 1}/{config.Epochs}  train {r.TrainLoss:F3}  val {r.ValidationBits:F3}{(r.Improved ? " *" : "  ")}  {perLevel}");
            onEpoch?.Invoke(r);
        }
        Console.WriteLine("Prior: bits/token on validation per level, unigram baseline in brackets (* = new best)");
        return trainer.Run(cancel, OnEpoch);
    }

    /// <summary>A first listen: 8 s continuing a training clip at temperature 0.9.</summary>
    static void WriteExample(TrainedRun run, CodeSequence anchor)
    {
        var prior = run.LoadPrior();
        int steps = (int)Math.Round(8 * new Runtime.Dsp.FeatureConfig().FramesPerSecond / run.Config.Model.Downsampling);
        var tokens = PriorGenerator.Generate(prior, new GenerationRequest(steps, new SamplingSettings(0.9f), GenerateCommand.ParseLevelScales(null, prior.Config.Levels), 1, anchor));
        string path = Path.Combine(run.Folder, ExampleFile);
        var audio = run.Render(tokens, run.Config.Model.Levels);
        WavWriter.Write(path, audio, new Runtime.Dsp.FeatureConfig().SampleRate);
        AnsiConsole.MarkupLineInterpolated($"Generated example: [bold]{Path.GetFullPath(path)}[/] ({audio.Length / 48000.0:F1} s, continuing '{DisplayText.Escape(anchor.Name)}')");
    }
}
