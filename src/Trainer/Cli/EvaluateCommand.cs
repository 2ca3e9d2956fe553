using System.CommandLine;
using System.Globalization;
using Distill.Runtime.Text;
using Distill.Trainer.Pipeline;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill evaluate</c>: how close a world's engine plays each anchor to its original clip, next to the
/// codes-only and oracle figures, as a table and an <c>evaluation.json</c>.</summary>
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
            "convergence, level, flux, crest factor, DC, clipping), next to the decoder's magnitudes alone (codes " +
            "only) and the Griffin–Lim oracle.") { target, clips };
        command.SetAction(parse => Evaluate(parse.GetValue(target)!, parse.GetValue(clips), AnsiConsole.Console));
        return command;
    }

    public static int Evaluate(string target, string? clips, IAnsiConsole console)
    {
        var evaluation = WorldEvaluation.Run(target, clips,
                                             onClip: name => console.MarkupLineInterpolated($"[grey]{name}[/]"));
        string path = WorldEvaluation.ReportPath(target);
        evaluation.Write(path);
        Print(evaluation, console);
        console.MarkupLineInterpolated($"Wrote [bold]{Path.GetFullPath(path)}[/].");
        return 0;
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The measure columns of one row, a clip's or a split's summary.</summary>
    static string[] Measures(double logMelDb, double codesOnlyDb, double oracleDb, double convergence,
                             double codesOnlyConvergence, double levelDb, double flux, double crestDb,
                             double periodicity, double dc, double clipped) =>
    [
        F(logMelDb, "F2"), F(codesOnlyDb, "F2"), F(oracleDb, "F2"), F(convergence, "F3"),
        F(codesOnlyConvergence, "F3"), F(levelDb, "+0.00;-0.00"), F(flux, "F2"), F(crestDb, "+0.00;-0.00"),
        F(periodicity, "F2"), F(dc, "0.0e0"), F(clipped, "+0.#;-0.#;0"),
    ];

    /// <summary>Width for output that is not a terminal: Spectre assumes 80 columns there, which wraps every cell of
    /// the table into an unreadable log; the table is only as wide as its cells need.</summary>
    const int RedirectedWidth = 240;

    public static void Print(WorldEvaluation evaluation, IAnsiConsole console)
    {
        if (!console.Profile.Capabilities.Interactive)
            console.Profile.Width = Math.Max(console.Profile.Width, RedirectedWidth);
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("clip");
        table.AddColumn("split");
        foreach (string column in new[] { "log-mel dB", "codes dB", "oracle dB", "spec. conv.", "codes conv.",
                                          "level dB", "flux ratio", "crest Δ dB", "step per.", "DC", "clipped Δ" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var c in evaluation.Clips)
            table.AddRow([Markup.Escape(DisplayText.Escape(c.Anchor)), c.Split,
                          .. Measures(c.Engine.LogMelDistanceDb, c.CodesOnly.LogMelDistanceDb,
                                      c.Oracle.LogMelDistanceDb, c.Engine.SpectralConvergence,
                                      c.CodesOnly.SpectralConvergence,
                                      c.Engine.LevelErrorDb, c.Engine.FluxRatio, c.Engine.CrestFactorDifferenceDb,
                                      c.Engine.StepPeriodicityRatio, c.Engine.DcOffset,
                                      c.Engine.ClippedSamplesDifference)]);
        foreach (var m in evaluation.Splits)
            table.AddRow([$"[bold]{m.Split} ({m.Clips} clips)[/]", m.Split,
                          .. Measures(m.LogMelDistanceDb, m.CodesOnlyLogMelDistanceDb, m.OracleLogMelDistanceDb,
                                      m.SpectralConvergence, m.CodesOnlySpectralConvergence, m.MedianLevelErrorDb,
                                      m.MedianFluxRatio, m.MedianCrestFactorDifferenceDb,
                                      m.MedianStepPeriodicityRatio, m.LargestDcOffset,
                                      m.MostClippedSamplesDifference)]);
        console.Write(table);
        console.WriteLine("Split rows: distances and convergences are means; level, flux, crest and step periodicity " +
                          "the median clip's; DC and clipping the worst clip's.");
        foreach (var m in evaluation.Splits)
            console.WriteLine($"{m.Split}: worst level error {F(m.WorstLevelErrorDb, "+0.00;-0.00")} dB");
        foreach (string missing in evaluation.Unmatched)
            console.MarkupLineInterpolated($"[yellow]not evaluated[/]: {missing}");
    }
}
