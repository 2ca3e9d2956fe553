using System.CommandLine;
using System.Text.Json;
using Distill.Runtime.Dsp;
using Distill.Runtime.Text;
using Distill.Trainer.Data;
using Distill.Trainer.Models;
using Distill.Trainer.Prior;
using Distill.Trainer.Telemetry;
using Distill.Trainer.Training;
using Spectre.Console;

namespace Distill.Trainer.Cli;

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
}

/// <summary><c>distill train</c>: folder of sounds → run folder with checkpoints, metrics and plots.</summary>
public static class TrainCommand
{
    public const int DefaultEpochs = 30;

    public static Command Create()
    {
        var folder = new Argument<string?>("folder") { Description = "Folder of your sounds (read only; searched recursively).", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string?>("--output", "-o") { Description = "Run folder to create for checkpoints, metrics and plots." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from its last checkpoint." };
        var seed = new Option<int>("--seed") { Description = "Seed for the split, crops and initialisation.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp (default 1: bit-reproducible; several threads are faster but runs can differ in the last bits)." };
        var epochs = new Option<int?>("--epochs") { Description = $"Epochs (passes over the training audio in random crops; default {DefaultEpochs})." };
        var batch = new Option<int?>("--batch-size") { Description = "Crops per step (default 16)." };
        var levels = new Option<int?>("--levels") { Description = "RVQ levels (default 4)." };
        var codebook = new Option<int?>("--codebook-size") { Description = "Codes per level (default 64/128/256 for 5–20/21–100/101–500 files)." };
        var decay = new Option<double?>("--ema-decay") { Description = "Codebook EMA decay (default 0.8/0.9/0.95 for ≤20/≤100/>100 files)." };
        var latent = new Option<int?>("--latent-dim") { Description = "Latent vector size per position (default 64)." };
        var lr = new Option<double?>("--learning-rate") { Description = "Peak learning rate (default 2e-3)." };
        var priorOnly = new Option<string?>("--prior-only") { Description = "Train (or continue) only the prior, on the finished autoencoder in this run folder." };
        var priorHidden = new Option<int?>("--prior-hidden") { Description = "Prior width (default 128/256/512 for ≤20/21–100/>100 files)." };
        var priorLayers = new Option<int?>("--prior-layers") { Description = "Prior depth (default 2/4/6 for ≤20/21–100/>100 files)." };
        var priorEpochs = new Option<int?>("--prior-epochs") { Description = $"Prior epochs (default {PriorStage.DefaultEpochs}; stops early when validation stops improving)." };
        var command = new Command("train", "Learn a sound world from a folder of audio files: the RVQ autoencoder, then the prior over its codes.")
        {
            folder, output, resume, seed, threads, epochs, batch, levels, codebook, decay, latent, lr, priorOnly, priorHidden, priorLayers, priorEpochs,
        };
        command.SetAction(parse =>
        {
            var prior = new PriorOptions(parse.GetValue(priorHidden), parse.GetValue(priorLayers), parse.GetValue(priorEpochs));
            if (parse.GetValue(priorOnly) is { } priorDir)
                return WithCancel(cancel => PriorStage.Run(priorDir, LoadRunCorpus(TrainedRun.Open(priorDir).Config), prior, cancel));
            if (parse.GetValue(resume) is { } resumeDir)
                return Resume(resumeDir, prior);
            string? input = parse.GetValue(folder), runDir = parse.GetValue(output);
            if (input is null || runDir is null)
                throw new UserFacingException("Usage: distill train <folder> -o <run-dir>   or   distill train --resume <run-dir>");
            return Train(new TrainOptions
            {
                Folder = input, RunDir = runDir, Seed = parse.GetValue(seed), Threads = parse.GetValue(threads),
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), Levels = parse.GetValue(levels),
                CodebookSize = parse.GetValue(codebook), EmaDecay = parse.GetValue(decay), LatentDim = parse.GetValue(latent),
                LearningRate = parse.GetValue(lr),
            }, prior);
        });
        return command;
    }

    /// <summary>Ctrl+C requests a clean stop: the loop saves a checkpoint and returns.</summary>
    static int WithCancel(Func<CancellationToken, int> run)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try { return run(cancel.Token); }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    public static int Train(TrainOptions options, PriorOptions prior)
    {
        RefuseRunInsideInput(options.Folder, options.RunDir);
        bool created = PrepareRunFolder(options.RunDir);
        Corpus corpus;
        try
        {
            corpus = LoadCorpus(options.Folder);
        }
        catch (UserFacingException) when (created)
        {
            Directory.Delete(options.RunDir); // leave no empty run folder behind a failed start
            throw;
        }
        var config = Resolve(options, corpus) with { Prior = prior };
        PrintConfiguration(config, corpus);
        return WithCancel(cancel =>
        {
            int code = RunTraining(config, corpus, options.RunDir, null, null, cancel);
            return code != 0 ? code : PriorStage.Run(options.RunDir, corpus, prior, cancel);
        });
    }

    /// <summary>Continues whichever stage is unfinished: the autoencoder, then the prior.</summary>
    static int Resume(string runDir, PriorOptions prior)
    {
        string path = Path.Combine(runDir, AutoencoderTrainer.CheckpointFile);
        if (!Checkpoint.Exists(path))
            throw new UserFacingException($"'{runDir}' holds no checkpoint ({AutoencoderTrainer.CheckpointFile}) to resume from.");
        RunFolder.RemoveTemporaries(runDir);
        var (_, header, tensors) = Checkpoint.LoadNewestIntact(path, CheckpointHeader.FromJson, UserWarning.Print,
                                                                   "Start a new run: distill train <folder> -o <new run folder>");
        var corpus = LoadRunCorpus(header.Config);
        return WithCancel(cancel =>
        {
            if (header.State.NextStep < header.Config.TotalSteps)
            {
                AnsiConsole.MarkupLineInterpolated($"Resuming [bold]{runDir}[/] at step {header.State.NextStep} of {header.Config.TotalSteps}.");
                int code = RunTraining(header.Config, corpus, runDir, header, tensors, cancel);
                if (code != 0) return code;
            }
            // Options given now win over those the run started with.
            var stored = header.Config.Prior;
            var merged = new PriorOptions(prior.Hidden ?? stored.Hidden, prior.Layers ?? stored.Layers, prior.Epochs ?? stored.Epochs);
            return PriorStage.Run(runDir, corpus, merged, cancel);
        });
    }

    /// <summary>The corpus a run was trained on, checked to be unchanged.</summary>
    internal static Corpus LoadRunCorpus(RunConfig config)
    {
        var corpus = LoadCorpus(config.InputFolder);
        if (!corpus.Clips.Select(c => c.RelativePath).SequenceEqual(config.Files))
            throw new UserFacingException($"The usable files in '{config.InputFolder}' changed since this run started; start a new run instead.");
        return corpus;
    }

    /// <summary>A run folder inside the input folder would write among the user's sounds, and its own files (the
    /// example, the world) would change the input set that --resume checks.</summary>
    static void RefuseRunInsideInput(string input, string runDir)
    {
        if (RealPath.Of(input) is not { } inputReal) return; // reading the folder says what is wrong with it
        if (RealPath.IsWithin(RealPath.OfFuture(runDir), inputReal))
            throw new UserFacingException($"The run folder '{runDir}' is inside the input folder '{input}': the run would write among your sounds " +
                                          "and read its own files back as training audio. Choose a run folder outside it.");
    }

    /// <summary>Creates the run folder (refusing to mix with an existing run) and proves it writable.
    /// Returns whether it had to be created.</summary>
    internal static bool PrepareRunFolder(string runDir)
    {
        try
        {
            bool existed = Directory.Exists(runDir);
            if (File.Exists(runDir)) throw new UserFacingException($"The output path '{runDir}' is a file, not a folder.");
            if (Checkpoint.Exists(Path.Combine(runDir, AutoencoderTrainer.CheckpointFile)))
                throw new UserFacingException($"'{runDir}' already holds a run. Continue it with: distill train --resume {runDir}");
            Directory.CreateDirectory(runDir);
            string probe = Path.Combine(runDir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return !existed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write to the output folder '{runDir}': {e.Message}");
        }
    }

    internal static Corpus LoadCorpus(string folder)
    {
        Corpus corpus = null!;
        if (AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.Status().Start($"Reading {folder}", ctx =>
                corpus = Corpus.Load(folder, new FeatureConfig(), file => ctx.Status($"Reading {Markup.Escape(DisplayText.Escape(file))}")));
        else
            corpus = Corpus.Load(folder, new FeatureConfig());
        AnsiConsole.MarkupLineInterpolated($"[bold]{corpus.Clips.Count}[/] usable files ({corpus.Clips.Sum(c => c.Seconds):F1} s), {corpus.Skipped.Count} skipped.");
        if (corpus.Skipped.Count > 0)
        {
            var table = new Table().Title("Skipped files").AddColumn("File").AddColumn("Reason");
            foreach (var s in corpus.Skipped) table.AddRow(Markup.Escape(DisplayText.Escape(s.RelativePath)), Markup.Escape(DisplayText.Escape(s.Reason)));
            AnsiConsole.Write(table);
        }
        foreach (var w in corpus.Warnings) UserWarning.Print(w);
        if (corpus.Clips.Count == 0)
            throw new UserFacingException($"No usable audio in '{folder}': nothing to train on. " +
                                          "Supported: WAV, and FLAC/OGG/MP3/AIFF through libsndfile; each file at least 1 s, not silent.");
        if (corpus.Clips.Count < AdaptiveSizing.MinimumFiles)
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] only {corpus.Clips.Count} usable files; {AdaptiveSizing.MinimumFiles}–500 give a better world. Training anyway.");
        return corpus;
    }

    public static RunConfig Resolve(TrainOptions o, Corpus corpus)
    {
        int files = corpus.Clips.Count;
        var split = DataSplit.ByFile(files, o.Seed);
        var codebook = Setting.Resolve(o.CodebookSize, AdaptiveSizing.CodebookSize(files));
        var decay = Setting.Resolve(o.EmaDecay, AdaptiveSizing.EmaDecay(files));
        var defaults = new AutoencoderConfig();
        var model = defaults with
        {
            CodebookSize = codebook.Value, EmaDecay = decay.Value,
            Levels = o.Levels ?? defaults.Levels, LatentDim = o.LatentDim ?? defaults.LatentDim,
        };
        var baseline = new RunConfig
        {
            InputFolder = Path.GetFullPath(o.Folder), Files = corpus.Clips.Select(c => c.RelativePath).ToArray(),
            Split = split, Stats = FeatureStats.Of(split.Train.Select(i => corpus.Clips[i])), Model = model,
        };
        int batch = o.BatchSize ?? baseline.BatchSize;
        var overrides = new List<string>();
        if (codebook.Overridden) overrides.Add("codebook-size");
        if (decay.Overridden) overrides.Add("ema-decay");
        if (o.Levels is not null) overrides.Add("levels");
        if (o.LatentDim is not null) overrides.Add("latent-dim");
        if (o.Epochs is not null) overrides.Add("epochs");
        if (o.BatchSize is not null) overrides.Add("batch-size");
        if (o.Threads is not null) overrides.Add("threads");
        if (o.LearningRate is not null) overrides.Add("learning-rate");
        long trainFrames = split.Train.Sum(i => (long)corpus.Clips[i].Frames);
        return baseline with
        {
            Seed = o.Seed, Threads = o.Threads ?? 1, Epochs = o.Epochs ?? DefaultEpochs,
            BatchSize = batch, StepsPerEpoch = RunConfig.StepsFor(trainFrames, batch, baseline.CropFrames),
            LearningRate = o.LearningRate ?? baseline.LearningRate, Overrides = overrides.ToArray(),
        };
    }

    static void PrintConfiguration(RunConfig c, Corpus corpus)
    {
        string Src(string name) => c.Overrides.Contains(name) ? "(override)" : "(auto)";
        var table = new Table().Title("Configuration").AddColumn("Setting").AddColumn("Value").AddColumn("Source");
        void Row(string name, object value, string source) => table.AddRow(name, Markup.Escape(value.ToString()!), source);
        int files = corpus.Clips.Count;
        Row("files (train / validation)", $"{c.Split.Train.Length} / {(c.Split.ValidatesOnTraining ? "same as train" : c.Split.Validation.Length.ToString())}", "(data)");
        Row("codebook size", c.Model.CodebookSize, Src("codebook-size"));
        Row("EMA decay", c.Model.EmaDecay, Src("ema-decay"));
        Row("RVQ levels", c.Model.Levels, c.Overrides.Contains("levels") ? "(override)" : "(default)");
        Row("latent dim", c.Model.LatentDim, c.Overrides.Contains("latent-dim") ? "(override)" : "(default)");
        var (hidden, layers) = AdaptiveSizing.Prior(files);
        Row("prior (next stage)", $"{hidden} hidden / {layers} layers", "(auto)");
        Row("grid", $"{c.Model.FrequencyPositions} freq × {new FeatureConfig().SampleRate / (double)new FeatureConfig().Hop / c.Model.Downsampling:F2} time steps/s", "(fixed)");
        Row("epochs × steps", $"{c.Epochs} × {c.StepsPerEpoch} = {c.TotalSteps}", c.Overrides.Contains("epochs") ? "(override)" : "(auto)");
        Row("batch × crop", $"{c.BatchSize} × {c.CropFrames} frames", c.Overrides.Contains("batch-size") ? "(override)" : "(default)");
        Row("learning rate", c.LearningRate, c.Overrides.Contains("learning-rate") ? "(override)" : "(default)");
        Row("seed / threads", $"{c.Seed} / {c.Threads}", c.Overrides.Contains("threads") ? "(override)" : "(auto)");
        AnsiConsole.Write(table);
    }

    static int RunTraining(RunConfig config, Corpus corpus, string runDir, CheckpointHeader? header,
                           IReadOnlyDictionary<string, TorchSharp.torch.Tensor>? tensors, CancellationToken cancel)
    {
        File.WriteAllText(Path.Combine(runDir, "config.json"), JsonSerializer.Serialize(config, RunConfig.Json));
        var observer = new ConsoleTrainingObserver(config);
        var trainer = new AutoencoderTrainer(config, corpus, runDir, observer, header, tensors);
        var outcome = observer.Show(() => trainer.Run(cancel));
        observer.PrintSummary(outcome, runDir);
        if (outcome.End == TrainingEnd.Interrupted)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Interrupted after step {outcome.Steps}; checkpoint saved.[/] Continue with: distill train --resume {runDir}");
            return 130;
        }
        WriteResults(config, runDir, outcome);
        return 0;
    }

    internal static void WriteResults(RunConfig config, string runDir, TrainingOutcome outcome)
    {
        string png = Path.Combine(runDir, "curves.png");
        TrainingCurvesPlot.Save(png, MetricsLog.Read(runDir));
        var summary = new
        {
            steps = outcome.Steps,
            validation = outcome.LastValidation?.Validation,
            codebook_health = outcome.LastValidation?.Health,
            utilization_warnings = outcome.UtilizationWarnings,
        };
        File.WriteAllText(Path.Combine(runDir, "summary.json"), JsonSerializer.Serialize(summary, RunConfig.Json));
        AnsiConsole.MarkupLineInterpolated($"Results in [bold]{Path.GetFullPath(runDir)}[/]: checkpoint.bin, metrics.csv, metrics.jsonl, tensorboard/, curves.png, summary.json");
    }
}
