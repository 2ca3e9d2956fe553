using System.Diagnostics;
using Distill.Runtime.Text;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Prior;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Distill.Trainer.Cli;

/// <summary>
/// A run on the console: the configuration tables, the autoencoder live (progress, losses, ETA and the per-level
/// codebook-health table, redrawn in place on a terminal; on redirected output one plain line per epoch instead),
/// then one line per prior epoch, then the evaluation table.
/// </summary>
public sealed class ConsoleRunObserver : IRunObserver
{
    readonly bool interactive = AnsiConsole.Profile.Capabilities.Interactive;
    readonly List<string> messages = new();
    readonly Stopwatch clock = Stopwatch.StartNew();
    RunConfig? config;
    LiveDisplayContext? live;
    StepReport? lastStep;
    LevelHealth[]? batchHealth;
    EpochReport? lastEpoch;

    /// <summary>How many files are usable, which were skipped and why, and what to know about the rest.</summary>
    public static void PrintCorpus(Corpus corpus)
    {
        AnsiConsole.MarkupLine($"[bold]{corpus.Clips.Count}[/] usable files " +
                               $"({corpus.Clips.Sum(c => c.Seconds):F1} s), {corpus.Skipped.Count} skipped.");
        if (corpus.Skipped.Count > 0)
        {
            var table = new Table().Title("Skipped files").AddColumn("File").AddColumn("Reason");
            foreach (var s in corpus.Skipped)
                table.AddRow(Markup.Escape(DisplayText.Escape(s.RelativePath)),
                             Markup.Escape(DisplayText.Escape(s.Reason)));
            AnsiConsole.Write(table);
        }
        foreach (var w in corpus.Warnings) UserWarning.Print(w);
        if (corpus.Clips.Count > 0 && corpus.Clips.Count < AdaptiveSizing.MinimumFiles)
            AnsiConsole.MarkupLine($"[yellow]warning:[/] only {corpus.Clips.Count} usable files; " +
                                   $"{AdaptiveSizing.MinimumFiles}–500 give a better world. Training anyway.");
    }

    public void OnCorpus(Corpus corpus) => PrintCorpus(corpus);

    public void OnStage(RunStage stage) { }

    public void OnConfiguration(string title, IReadOnlyList<ConfigurationRow> rows)
    {
        var table = new Table().Title(title).AddColumn("Setting").AddColumn("Value").AddColumn("Source");
        foreach (var row in rows) table.AddRow(Markup.Escape(row.Setting), Markup.Escape(row.Value), row.Source);
        AnsiConsole.Write(table);
    }

    public void OnNotice(string text) => AnsiConsole.WriteLine(text);

    public void OnPriorEpoch(PriorRunConfig c, PriorEpochReport r)
    {
        var perLevel = string.Join("  ", r.LevelBits.Select((b, l) => $"L{l} {b:F2} ({r.UnigramBits[l]:F2})"));
        Console.WriteLine($"prior epoch {r.Epoch + 1}/{c.Epochs}  train {r.TrainLoss:F3}  val {r.ValidationBits:F3}" +
                          $"{(r.Improved ? " *" : "  ")}  {perLevel}  {r.SecondsPerEpoch:F1}s/epoch");
    }

    public void OnEvaluation(WorldEvaluation evaluation, string path)
    {
        EvaluateCommand.Print(evaluation, AnsiConsole.Console);
        AnsiConsole.MarkupLineInterpolated($"Evaluation: [bold]{Path.GetFullPath(path)}[/]");
    }

    public TrainingOutcome Watch(RunConfig c, Func<TrainingOutcome> autoencoder)
    {
        config = c;
        if (!interactive) return autoencoder();
        TrainingOutcome outcome = null!;
        AnsiConsole.Live(new Text("Starting…")).AutoClear(false)
            .Start(ctx => { live = ctx; outcome = autoencoder(); });
        live = null;
        return outcome;
    }

    public void OnStep(StepReport r)
    {
        lastStep = r;
        if (r.BatchHealth is not null) batchHealth = r.BatchHealth;
        if (live is not null && (r.Step % 2 == 0 || r.BatchHealth is not null)) live.UpdateTarget(Render());
    }

    public void OnEpoch(EpochReport r)
    {
        lastEpoch = r;
        if (live is not null) { live.UpdateTarget(Render()); return; }
        var util = string.Join(" ", r.Health.Select(h => $"L{h.Level}:{h.UtilizationPercent:F0}%/{h.Perplexity:F1}"));
        Console.WriteLine($"epoch {r.Epoch + 1}/{config!.Epochs} step {r.Step + 1}/{config.TotalSteps} " +
                          $"train {lastStep?.Loss.Total:F4} val {r.Validation.Total:F4} " +
                          $"(mel {r.Validation.Mel:F4}, stft {r.Validation.Stft:F4}) " +
                          $"util/ppl {util} {r.SecondsPerEpoch:F1}s/epoch ETA {Eta()}");
    }

    public void OnMessage(string message)
    {
        messages.Add(message);
        if (live is null) Console.WriteLine(message);
    }

    string Eta()
    {
        if (lastStep is null || lastStep.StepsPerSecond <= 0) return "?";
        var remaining = TimeSpan.FromSeconds((lastStep.TotalSteps - lastStep.Step - 1) / lastStep.StepsPerSecond);
        return remaining.ToString(remaining.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss");
    }

    IRenderable Render()
    {
        var rows = new List<IRenderable>();
        if (lastStep is { } s)
        {
            rows.Add(new Markup($"[bold]epoch[/] {s.Epoch + 1}/{config!.Epochs}  " +
                                $"[bold]step[/] {s.Step + 1}/{s.TotalSteps}  " +
                                $"{s.StepsPerSecond:F2} steps/s  elapsed {clock.Elapsed:m\\:ss}  ETA {Eta()}"));
            int filled = (int)(60 * (s.Step + 1) / s.TotalSteps);
            rows.Add(new Markup($"[green]{new string('━', filled)}[/][grey]{new string('━', 60 - filled)}[/]"));
            rows.Add(new Markup($"train loss [bold]{s.Loss.Total:F4}[/] (mel {s.Loss.Mel:F4}, stft {s.Loss.Stft:F4}, " +
                                $"commit {s.Loss.Commitment:F4})  lr {s.LearningRate:E2}  levels {s.LevelsUsed}"));
        }
        if (lastEpoch is { } e)
            rows.Add(new Markup($"validation loss [bold]{e.Validation.Total:F4}[/] (mel {e.Validation.Mel:F4}, " +
                                $"stft {e.Validation.Stft:F4}) after epoch {e.Epoch + 1}"));
        rows.Add(HealthTable(batchHealth, lastEpoch?.Health));
        foreach (var m in messages.TakeLast(4)) rows.Add(new Markup($"[yellow]{Markup.Escape(m)}[/]"));
        return new Rows(rows);
    }

    static Table HealthTable(LevelHealth[]? batch, LevelHealth[]? validation)
    {
        var table = new Table().Title("Codebook health").AddColumn("Level")
            .AddColumn("batch util %").AddColumn("batch perplexity").AddColumn("val util %").AddColumn("val perplexity")
            .AddColumn("val dead");
        int levels = Math.Max(batch?.Length ?? 0, validation?.Length ?? 0);
        for (int l = 0; l < levels; l++)
        {
            string B(Func<LevelHealth, string> f) => batch is null ? "–" : f(batch[l]);
            string V(Func<LevelHealth, string> f) => validation is null ? "–" : f(validation[l]);
            table.AddRow(l.ToString(), B(h => h.UtilizationPercent.ToString("F0")), B(h => h.Perplexity.ToString("F1")),
                         V(h => h.UtilizationPercent.ToString("F0")), V(h => h.Perplexity.ToString("F1")),
                         V(h => h.DeadCodes.ToString()));
        }
        return table;
    }

    public void OnAutoencoderFinished(RunConfig c, TrainingOutcome outcome)
    {
        if (outcome.LastValidation is { } v)
        {
            AnsiConsole.MarkupLine($"Final validation loss {v.Validation.Total:F4} (mel {v.Validation.Mel:F4}, " +
                                   $"stft {v.Validation.Stft:F4}, commit {v.Validation.Commitment:F4})");
            AnsiConsole.Write(HealthTable(null, v.Health));
        }
        if (outcome.UtilizationWarnings.Count > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]{outcome.UtilizationWarnings.Count} low-utilization warnings[/] " +
                                   $"(below {c.LowUtilizationPercent}%):");

            foreach (var w in outcome.UtilizationWarnings.TakeLast(10)) AnsiConsole.MarkupLineInterpolated($"  {w}");
            AnsiConsole.MarkupLine("  A smaller --codebook-size or more varied material usually helps.");
        }
    }
}
