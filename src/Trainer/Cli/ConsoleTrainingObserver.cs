using System.Diagnostics;
using Distill.Trainer.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Distill.Trainer.Cli;

/// <summary>
/// Live training display: progress, losses, ETA and the per-level codebook-health table, redrawn in
/// place on a terminal; on redirected output (CI, logs) one plain line per epoch instead.
/// </summary>
public sealed class ConsoleTrainingObserver(RunConfig config) : ITrainingObserver
{
    readonly bool interactive = AnsiConsole.Profile.Capabilities.Interactive;
    readonly List<string> messages = new();
    readonly Stopwatch clock = Stopwatch.StartNew();
    LiveDisplayContext? live;
    StepReport? lastStep;
    LevelHealth[]? batchHealth;
    EpochReport? lastEpoch;

    public TrainingOutcome Show(Func<TrainingOutcome> run)
    {
        if (!interactive) return run();
        TrainingOutcome outcome = null!;
        AnsiConsole.Live(new Text("Starting…")).AutoClear(false).Start(ctx => { live = ctx; outcome = run(); });
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
        Console.WriteLine($"epoch {r.Epoch + 1}/{config.Epochs} step {r.Step + 1}/{config.TotalSteps} " +
                          $"train {lastStep?.Loss.Total:F4} val {r.Validation.Total:F4} (mel {r.Validation.Mel:F4}, stft {r.Validation.Stft:F4}) " +
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
            rows.Add(new Markup($"[bold]epoch[/] {s.Epoch + 1}/{config.Epochs}  [bold]step[/] {s.Step + 1}/{s.TotalSteps}  " +
                                $"{s.StepsPerSecond:F2} steps/s  elapsed {clock.Elapsed:m\\:ss}  ETA {Eta()}"));
            int filled = (int)(60 * (s.Step + 1) / s.TotalSteps);
            rows.Add(new Markup($"[green]{new string('━', filled)}[/][grey]{new string('━', 60 - filled)}[/]"));
            rows.Add(new Markup($"train loss [bold]{s.Loss.Total:F4}[/] (mel {s.Loss.Mel:F4}, stft {s.Loss.Stft:F4}, commit {s.Loss.Commitment:F4})  lr {s.LearningRate:E2}  levels {s.LevelsUsed}"));
        }
        if (lastEpoch is { } e)
            rows.Add(new Markup($"validation loss [bold]{e.Validation.Total:F4}[/] (mel {e.Validation.Mel:F4}, stft {e.Validation.Stft:F4}) after epoch {e.Epoch + 1}"));
        rows.Add(HealthTable(batchHealth, lastEpoch?.Health));
        foreach (var m in messages.TakeLast(4)) rows.Add(new Markup($"[yellow]{Markup.Escape(m)}[/]"));
        return new Rows(rows);
    }

    static Table HealthTable(LevelHealth[]? batch, LevelHealth[]? validation)
    {
        var table = new Table().Title("Codebook health").AddColumn("Level")
            .AddColumn("batch util %").AddColumn("batch perplexity").AddColumn("val util %").AddColumn("val perplexity").AddColumn("val dead");
        int levels = Math.Max(batch?.Length ?? 0, validation?.Length ?? 0);
        for (int l = 0; l < levels; l++)
        {
            string B(Func<LevelHealth, string> f) => batch is null ? "–" : f(batch[l]);
            string V(Func<LevelHealth, string> f) => validation is null ? "–" : f(validation[l]);
            table.AddRow(l.ToString(), B(h => h.UtilizationPercent.ToString("F0")), B(h => h.Perplexity.ToString("F1")),
                         V(h => h.UtilizationPercent.ToString("F0")), V(h => h.Perplexity.ToString("F1")), V(h => h.DeadCodes.ToString()));
        }
        return table;
    }

    public void PrintSummary(TrainingOutcome outcome, string runDir)
    {
        if (outcome.LastValidation is { } v)
        {
            AnsiConsole.MarkupLineInterpolated($"Final validation loss {v.Validation.Total:F4} (mel {v.Validation.Mel:F4}, stft {v.Validation.Stft:F4}, commit {v.Validation.Commitment:F4})");
            AnsiConsole.Write(HealthTable(null, v.Health));
        }
        if (outcome.UtilizationWarnings.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]{outcome.UtilizationWarnings.Count} low-utilization warnings[/] (below {config.LowUtilizationPercent}%):");
            foreach (var w in outcome.UtilizationWarnings.TakeLast(10)) AnsiConsole.MarkupLineInterpolated($"  {w}");
            AnsiConsole.MarkupLine("  A smaller --codebook-size or more varied material usually helps.");
        }
    }
}
