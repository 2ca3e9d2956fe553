using System.CommandLine;
using System.Globalization;
using Distill.Runtime.Text;
using Distill.Trainer.Pipeline;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill evaluate</c>: how close a world's engine plays each anchor to its original clip, next to the
/// oracle's figure, as a table and an <c>evaluation.json</c>.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("world")
        {
            Description = "A run folder (from distill train) or a .distill world.",
        };
        var clips = new Argument<string?>("clips")
        {
            Description = "Folder of the original clips (default for a run folder: the folder it was trained on).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("evaluate",
            "Measure how close the engine plays each anchor to its original clip (log-mel distance, spectral " +
            "convergence, level, flux, crest factor, DC), next to the Griffin–Lim oracle.") { target, clips };
        command.SetAction(parse => Evaluate(parse.GetValue(target)!, parse.GetValue(clips), AnsiConsole.Console));
        return command;
    }

    public static int Evaluate(string target, string? clips, IAnsiConsole console)
    {
        var evaluation = WorldEvaluation.Run(target, clips, name => console.MarkupLineInterpolated($"[grey]{name}[/]"));
        string path = WorldEvaluation.ReportPath(target);
        evaluation.Write(path);
        Print(evaluation, console);
        console.MarkupLineInterpolated($"Wrote [bold]{Path.GetFullPath(path)}[/].");
        return 0;
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static void Print(WorldEvaluation evaluation, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("clip");
        table.AddColumn("split");
        foreach (string column in new[] { "log-mel dB", "oracle dB", "spec. conv.", "level dB", "flux ratio",
                                          "crest Δ dB", "DC" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var c in evaluation.Clips)
            table.AddRow(Markup.Escape(DisplayText.Escape(c.Anchor)), c.Split, F(c.Engine.LogMelDistanceDb, "F2"),
                         F(c.Oracle.LogMelDistanceDb, "F2"), F(c.Engine.SpectralConvergence, "F3"),
                         F(c.Engine.LevelErrorDb, "+0.00;-0.00"), F(c.Engine.FluxRatio, "F2"),
                         F(c.Engine.CrestFactorDifferenceDb, "+0.00;-0.00"), F(c.Engine.DcOffset, "0.0e0"));
        foreach (var m in evaluation.Means)
            table.AddRow($"[bold]mean of {m.Clips}[/]", m.Split, F(m.LogMelDistanceDb, "F2"),
                         F(m.OracleLogMelDistanceDb, "F2"), F(m.SpectralConvergence, "F3"),
                         F(m.LevelErrorDb, "+0.00;-0.00"), F(m.FluxRatio, "F2"),
                         F(m.CrestFactorDifferenceDb, "+0.00;-0.00"), F(m.DcOffset, "0.0e0"));
        console.Write(table);
        foreach (string missing in evaluation.Unmatched)
            console.MarkupLineInterpolated($"[yellow]not evaluated[/]: {missing}");
    }
}
