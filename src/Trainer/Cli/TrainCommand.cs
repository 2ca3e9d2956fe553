using System.CommandLine;
using Distill.Runtime.Text;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Torch;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill train</c>: folder of sounds → run folder with checkpoints, metrics, plots and the
/// world.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var folder = new Argument<string?>("folder")
        {
            Description = "Folder of your sounds (read only; searched recursively).", Arity = ArgumentArity.ZeroOrOne,
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Run folder to create for checkpoints, metrics and plots.",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the run in this folder from its last checkpoint.",
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed for the split, crops and initialisation.", DefaultValueFactory = _ => 1,
        };
        var threads = new Option<int?>("--threads")
        {
            Description = "CPU threads for TorchSharp (default 1: bit-reproducible; several threads are faster but " +
                          "runs can differ in the last bits).",
        };
        var epochs = new Option<int?>("--epochs")
        {
            Description = "Epochs (passes over the training audio in random crops; " +
                          $"default {RunConfig.DefaultEpochs}, more for a small corpus: at least " +
                          $"{AdaptiveSizing.MinimumAutoencoderSteps} steps).",

        };
        var batch = new Option<int?>("--batch-size") { Description = "Crops per step (default 16)." };
        var levels = new Option<int?>("--levels") { Description = "RVQ levels (default 4)." };
        var codebook = new Option<int?>("--codebook-size")
        {
            Description = "Codes per level (default 64/128/256 for 5–20/21–100/101–500 files).",
        };
        var decay = new Option<double?>("--ema-decay")
        {
            Description = "Codebook EMA decay (default 0.8/0.9/0.95 for ≤20/≤100/>100 files).",
        };
        var latent = new Option<int?>("--latent-dim") { Description = "Latent vector size per position (default 64)." };
        var lr = new Option<double?>("--learning-rate") { Description = "Peak learning rate (default 1e-3 for ≤20 files, 2e-3 above)." };
        var adversarial = new Option<int?>("--adversarial-epochs")
        {
            Description = "Last epochs in which the decoder alone trains against a spectrogram discriminator, for " +
                          $"sharper detail (default {RunConfig.DefaultAdversarialEpochs}; 0: none).",
        };
        var priorOnly = new Option<string?>("--prior-only")
        {
            Description = "Train (or continue) only the prior, on the finished autoencoder in this run folder.",
        };
        var priorHidden = new Option<int?>("--prior-hidden")
        {
            Description = "Prior width (default 128/256/512 for ≤ 16,000 / ≤ 80,000 / more tokens to learn: about 107 s / 9 min of sound).",
        };
        var priorLayers = new Option<int?>("--prior-layers")
        {
            Description = "Prior depth (default 2/4/6 for the same tiers as the width).",
        };
        var priorEpochs = new Option<int?>("--prior-epochs")
        {
            Description = $"Prior epochs (default {RunConfig.DefaultPriorEpochs}; stops early when validation stops " +
                          "improving).",
        };
        var command = new Command("train",
            "Learn a sound world from a folder of audio files: the RVQ autoencoder, then the prior over its codes.")
        {
            folder, output, resume, seed, threads, epochs, batch, levels, codebook, decay, latent, lr, adversarial,
            priorOnly,
            priorHidden, priorLayers, priorEpochs,
        };
        command.SetAction(parse =>
        {
            var prior = new PriorOptions(parse.GetValue(priorHidden), parse.GetValue(priorLayers),
                                         parse.GetValue(priorEpochs));
            var training = new WorldTraining(new ConsoleRunObserver());
            if (parse.GetValue(priorOnly) is { } priorDir)
                return WithCancel(cancel => training.PriorOnly(priorDir, prior, cancel));
            if (parse.GetValue(resume) is { } resumeDir)
                return WithCancel(cancel => training.Resume(resumeDir, prior, cancel));
            string? input = parse.GetValue(folder), runDir = parse.GetValue(output);
            if (input is null || runDir is null)
                throw new UserFacingException(
                    "Usage: distill train <folder> -o <run-dir>   or   distill train --resume <run-dir>");
            var options = new TrainOptions
            {
                Folder = input, RunDir = runDir, Seed = parse.GetValue(seed), Threads = parse.GetValue(threads),
                Epochs = parse.GetValue(epochs), BatchSize = parse.GetValue(batch), Levels = parse.GetValue(levels),
                CodebookSize = parse.GetValue(codebook), EmaDecay = parse.GetValue(decay),
                LatentDim = parse.GetValue(latent), LearningRate = parse.GetValue(lr),
                AdversarialEpochs = parse.GetValue(adversarial),
            };
            return WithCancel(cancel => training.Start(options, prior, () => ReadCorpus(input), cancel));
        });
        return command;
    }

    /// <summary>Ctrl+C requests a clean stop: the loop saves a checkpoint and returns.</summary>
    static int WithCancel(Func<CancellationToken, TrainingEnd> run)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try { return run(cancel.Token) == TrainingEnd.Completed ? 0 : 130; }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    /// <summary>The corpus, each file named while it is read on a terminal, then summarised.</summary>
    static Corpus ReadCorpus(string folder)
    {
        Corpus corpus = null!;
        if (AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.Status().Start($"Reading {folder}", ctx => corpus = RunCorpus.Read(
                folder, file => ctx.Status($"Reading {Markup.Escape(DisplayText.Escape(file))}"),
                ConsoleRunObserver.PrintCorpus));
        else
            corpus = RunCorpus.Read(folder, onRead: ConsoleRunObserver.PrintCorpus);
        return corpus;
    }
}
