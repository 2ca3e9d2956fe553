using System.CommandLine;
using System.Globalization;
using Distill.Runtime.Engine;
using Distill.Runtime.Text;
using Distill.Trainer.Pipeline;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill evaluate</c>: how close a world's engine plays each anchor to its original clip, next to the
/// codes-only and oracle figures, as a table and an <c>evaluation.json</c>; with <c>--generation</c>, also how its
/// prior's long notes stay with each anchor (drift, collapse, breakage, Fréchet distance).</summary>
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
        var generation = new Option<bool>("--generation")
        {
            Description = "Also play a long note per anchor and temperature at variation 1 and measure how it stays " +
                          "with its anchor: 1 s window distance, 1 s levels, silence, clipping, clicks, Fréchet " +
                          "distance against the real-vs-real baseline.",
        };
        var seconds = new Option<double?>("--seconds")
        {
            Description = $"With --generation: length of each note (default {GenerationSettings.DefaultSeconds}).",
        };
        var temperatures = new Option<string?>("--temperatures")
        {
            Description = "With --generation: comma-separated temperatures (default " +
                          $"{string.Join(",", GenerationSettings.DefaultTemperatures.Select(Invariant))}).",
        };
        var anchors = new Option<int?>("--anchors")
        {
            Description = "With --generation: play only the first n anchors evaluated (default: all).",
        };
        var command = new Command("evaluate",
            "Measure how close the engine plays each anchor to its original clip (log-mel distance, spectral " +
            "convergence, level, flux, crest factor, DC, clipping), next to the decoder's magnitudes alone (codes " +
            "only) and the Griffin–Lim oracle; with --generation, how long generated notes stay with their anchor.")
        {
            target, clips, generation, seconds, temperatures, anchors,
        };
        command.SetAction(parse => Evaluate(
            parse.GetValue(target)!, parse.GetValue(clips), AnsiConsole.Console,
            Settings(parse.GetValue(generation), parse.GetValue(seconds), parse.GetValue(temperatures),
                     parse.GetValue(anchors))));
        return command;
    }

    static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The generation settings the options ask for, each checked; null without --generation.</summary>
    public static GenerationSettings? Settings(bool generation, double? seconds, string? temperatures, int? anchors)
    {
        if (!generation)
        {
            if (seconds is not null || temperatures is not null || anchors is not null)
                throw new UserFacingException("--seconds, --temperatures and --anchors need --generation.");
            return null;
        }
        var defaults = GenerationSettings.Default;
        if (seconds is { } s && !(s > 0 && s <= MaxSeconds))
            throw new UserFacingException($"--seconds must be above 0 and at most {MaxSeconds} (is {Invariant(s)}).");
        if (anchors is < 1) throw new UserFacingException($"--anchors must be at least 1 (is {anchors}).");
        return new GenerationSettings(seconds ?? defaults.Seconds,
                                      temperatures is null ? defaults.Temperatures : Temperatures(temperatures),
                                      anchors);
    }

    /// <summary>A note longer than this would keep a minute's evaluation busy for hours on a large world.</summary>
    const double MaxSeconds = 600;

    static double[] Temperatures(string list)
    {
        var spec = InstrumentParameters.Get(ParameterId.Temperature);
        var values = new List<double>();
        foreach (string item in list.Split(','))
        {
            if (!double.TryParse(item.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double t) ||
                !(t >= spec.Min && t <= spec.Max))
                throw new UserFacingException(
                    $"--temperatures takes numbers from {Invariant(spec.Min)} to {Invariant(spec.Max)} separated " +
                    $"by commas ('{DisplayText.Escape(item)}' in '{DisplayText.Escape(list)}').");
            if (!values.Contains(t)) values.Add(t);
        }
        return values.ToArray();
    }

    public static int Evaluate(string target, string? clips, IAnsiConsole console,
                               GenerationSettings? generation = null)
    {
        var evaluation = WorldEvaluation.Run(target, clips,
                                             onClip: name => console.MarkupLineInterpolated($"[grey]{name}[/]"),
                                             generation: generation);
        string path = WorldEvaluation.ReportPath(target);
        evaluation.Write(path);
        Print(evaluation, console);
        console.MarkupLineInterpolated($"Wrote [bold]{Path.GetFullPath(path)}[/].");
        return 0;
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Signed, two decimals; what rounds to zero is plain 0.00 (not "-+0.00").</summary>
    const string SignedDb = "+0.00;-0.00;0.00";

    /// <summary>The measure columns of one row, a clip's or a split's summary.</summary>
    static string[] Measures(double logMelDb, double codesOnlyDb, double oracleDb, double convergence,
                             double codesOnlyConvergence, double levelDb, double flux, double crestDb,
                             double periodicity, double dc, double originalDc, double clipped) =>
    [
        F(logMelDb, "F2"), F(codesOnlyDb, "F2"), F(oracleDb, "F2"), F(convergence, "F3"),
        F(codesOnlyConvergence, "F3"), F(levelDb, SignedDb), F(flux, "F2"), F(crestDb, SignedDb),
        F(periodicity, "F2"), F(dc, "0.0e0"), F(originalDc, "0.0e0"), F(clipped, "+0.#;-0.#;0"),
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
                                          "level dB", "flux ratio", "crest Δ dB", "step per.", "DC", "DC orig.",
                                          "clipped Δ" })
            table.AddColumn(new TableColumn(column).RightAligned());
        foreach (var c in evaluation.Clips)
            table.AddRow([Markup.Escape(DisplayText.Escape(c.Anchor)), c.Split,
                          .. Measures(c.Engine.LogMelDistanceDb, c.CodesOnly.LogMelDistanceDb,
                                      c.Oracle.LogMelDistanceDb, c.Engine.SpectralConvergence,
                                      c.CodesOnly.SpectralConvergence,
                                      c.Engine.LevelErrorDb, c.Engine.FluxRatio, c.Engine.CrestFactorDifferenceDb,
                                      c.Engine.StepPeriodicityRatio, c.Engine.DcOffset, c.Engine.OriginalDcOffset,
                                      c.Engine.ClippedSamplesDifference)]);
        foreach (var m in evaluation.Splits)
            table.AddRow([$"[bold]{m.Split} ({m.Clips} clips)[/]", m.Split,
                          .. Measures(m.LogMelDistanceDb, m.CodesOnlyLogMelDistanceDb, m.OracleLogMelDistanceDb,
                                      m.SpectralConvergence, m.CodesOnlySpectralConvergence, m.MedianLevelErrorDb,
                                      m.MedianFluxRatio, m.MedianCrestFactorDifferenceDb,
                                      m.MedianStepPeriodicityRatio, m.LargestDcOffset, m.LargestOriginalDcOffset,
                                      m.MostClippedSamplesDifference)]);
        console.Write(table);
        console.WriteLine("Split rows: distances and convergences are means; level, flux, crest and step periodicity " +
                          "the median clip's; DC (the render's and the original's own largest 1 s mean) and " +
                          "clipping the worst clip's.");
        foreach (var m in evaluation.Splits)
            console.WriteLine($"{m.Split}: worst level error {F(m.WorstLevelErrorDb, SignedDb)} dB");
        foreach (string missing in evaluation.Unmatched)
            console.MarkupLineInterpolated($"[yellow]not evaluated[/]: {missing}");
        if (evaluation.Generation is { } generation) PrintGeneration(generation, console);
    }

    static string Range(double low, double high) => $"{F(low, "F1")} … {F(high, "F1")}";

    /// <summary>The goals a note misses, by name; "met" when none.</summary>
    static string Missed(GenerationGoals goals)
    {
        var missed = new List<string>();
        if (!goals.WindowDistance) missed.Add("window");
        if (!goals.LevelRange) missed.Add("level");
        if (!goals.NoSilentHole) missed.Add("silent hole");
        if (!goals.NoNewClipping) missed.Add("clipping");
        return missed.Count == 0 ? "met" : "missed: " + string.Join(", ", missed);
    }

    static void PrintGeneration(GenerationEvaluation g, IAnsiConsole console)
    {
        console.WriteLine($"Generation: {F(g.Seconds, "0.##")} s notes at variation {F(g.Variation, "0.##")}, " +
                          $"Fréchet on {g.PcaComponents} PCA axes of {g.TrainingClips} training clips' log-mel frames.");
        var notes = new Table().Border(TableBorder.Simple);
        notes.AddColumn("clip");
        notes.AddColumn("split");
        foreach (string column in new[] { "temp.", "worst 1 s dB", "original's dB", "ratio", "1 s RMS dBFS",
                                          "original's dBFS", "beyond dB", "silent (holes)", "clipped Δ", "clicks",
                                          "Fréchet to orig.", "replay's" })
            notes.AddColumn(new TableColumn(column).RightAligned());
        notes.AddColumn("goals");
        foreach (var a in g.Anchors)
            foreach (var n in a.Notes)
            {
                var m = n.Measures;
                notes.AddRow(Markup.Escape(DisplayText.Escape(a.Anchor)), a.Split, F(n.Temperature, "0.0#"),
                             F(m.WorstWindowDistanceDb, "F2"), F(m.OriginalWorstWindowDistanceDb, "F2"),
                             F(m.WindowDistanceRatio, "F2"), Range(m.MinRmsDb, m.MaxRmsDb),
                             Range(m.OriginalMinRmsDb, m.OriginalMaxRmsDb), F(m.RmsBeyondOriginalRangeDb, "F1"),
                             $"{m.SilentFrames} ({m.SilentHoleFrames})", F(m.ClippedSamplesDifference, "+0;-0;0"),
                             F(m.ClickFrames, "0"),
                             F(n.FrechetToOriginal, "F0"), F(a.ReplayFrechetToOriginal, "F0"),
                             Markup.Escape(Missed(n.Goals)));
            }
        console.Write(notes);
        var frechet = new Table().Border(TableBorder.Simple);
        frechet.AddColumn(new TableColumn("temp.").RightAligned());
        foreach (string column in new[] { "Fréchet to training", "baseline (validation)", "ratio" })
            frechet.AddColumn(new TableColumn(column).RightAligned());
        frechet.AddColumn("goal ≤ 1.5×");
        foreach (var t in g.Temperatures)
            frechet.AddRow(F(t.Temperature, "0.0#"), F(t.FrechetToTraining, "F0"), F(g.BaselineFrechet, "F0"),
                           F(t.BaselineRatio, "F2"), t.Goal switch { true => "met", false => "missed", null => "–" });
        console.Write(frechet);
        var all = g.Anchors.SelectMany(a => a.Notes).ToArray();
        int Met(Func<GenerationGoals, bool> goal) => all.Count(n => goal(n.Goals));
        console.WriteLine($"Goals met by {Met(x => x.All)} of {all.Length} notes: 1 s window ≤ 1.5× the original's " +
                          $"{Met(x => x.WindowDistance)}, 1 s RMS within the original's ± 3 dB " +
                          $"{Met(x => x.LevelRange)}, no silent hole {Met(x => x.NoSilentHole)}, no new clipping " +
                          $"{Met(x => x.NoNewClipping)}.");
        console.WriteLine($"A silent hole is a run of silent 50 ms frames longer than the original's longest; notes " +
                          $"with any silent frame: {all.Count(n => n.Measures.SilentFrames > 0)}.");
        int replays = g.Anchors.Count(a => a.ReplayWindowDistanceRatio <= GenerationGoals.WindowDistanceRatio);
        console.WriteLine($"Replays (variation 0, no generation) within " +
                          $"{F(GenerationGoals.WindowDistanceRatio, "0.0#")}× of their original's worst 1 s window: " +
                          $"{replays} of {g.Anchors.Length} anchors — the codec's share of the window goal.");
        if (g.ValidationClips == 0)
            console.WriteLine("No validation clips: no real-vs-real baseline, so the Fréchet goal is not judged.");
    }
}
