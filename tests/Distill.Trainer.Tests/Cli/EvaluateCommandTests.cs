using Distill.Tests.Cli;
using Distill.Trainer.Cli;
using Distill.Trainer.Pipeline;
using Spectre.Console;

namespace Distill.Tests.Cli;

/// <summary><c>distill evaluate</c> on the tests' tiny world: a row per anchor, finite measures, the oracle closer to
/// every original than the engine, and the decoder's own magnitudes (codes only) no further than the engine.</summary>
[Collection(TorchCollection.Name)]
public class EvaluateCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A copy of the tiny world's run folder, so the report is not written into the shared one.</summary>
    static string CopyOfRun()
    {
        string source = Path.GetDirectoryName(TestWorld.BundlePath)!, copy = ExternalTools.TempDir("evaluate-run");
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    /// <summary>A console wide enough that no row of the table wraps.</summary>
    static IAnsiConsole Console(StringWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer), ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        return console;
    }

    static void AssertFinite(EvaluatedClip c)
    {
        foreach (var m in new[] { c.Engine, c.Oracle })
        {
            double[] values =
            [
                m.LogMelDistanceDb, m.SpectralConvergence, m.LevelErrorDb, m.FluxRatio, m.CrestFactorDifferenceDb,
                m.DcOffset, .. m.BandLevelErrorsDb,
            ];
            Assert.All(values, v => Assert.True(double.IsFinite(v), $"{c.Anchor}: {string.Join(", ", values)}"));
        }
        Assert.True(double.IsFinite(c.CodesOnly.LogMelDistanceDb) && double.IsFinite(c.CodesOnly.SpectralConvergence),
                    $"{c.Anchor}: {c.CodesOnly}");
    }

    /// <summary>Phase reconstruction and streaming mostly add to what the codec loses; the margin is for the
    /// alignment and the 80 dB floor, which the two see differently, and for magnitudes that run loud: magnitudes no
    /// signal has (inconsistent across frames) partly cancel in the overlap-add, so the engine's render lands quieter
    /// and nearer the original. Both play at the anchor's gain, which is measured on the engine's replay: where the
    /// overlap-add cancels much, the gain lifts the decoder's magnitudes above the clip's level. Both are reshaped by
    /// the replay's spectrum correction, fitted to the engine's replay: the test world's pad, crackle and glass replay
    /// 1.7–2.8 dB nearer than their codes; every other anchor less than 0.8 dB nearer.</summary>
    const double CodesOnlyMarginDb = 6;

    [Fact]
    public void ARunFolderGetsARowPerAnchorAndTheOracleBeatsTheEngine()
    {
        string run = CopyOfRun();
        var text = new StringWriter();
        Assert.Equal(0, EvaluateCommand.Evaluate(run, null, Console(text)));
        output.WriteLine(text.ToString());

        var report = WorldEvaluation.Read(Path.Combine(run, WorldEvaluation.FileName));
        Assert.Equal(TestWorld.Anchors, report.Clips.Length);
        Assert.Equal(TestWorld.Anchors, report.Clips.Select(c => c.Anchor).Distinct().Count());
        Assert.Empty(report.Unmatched);
        Assert.All(report.Clips, AssertFinite);
        Assert.All(report.Clips, c => Assert.True(c.Oracle.LogMelDistanceDb < c.Engine.LogMelDistanceDb, c.Anchor));
        Assert.All(report.Clips, c => Assert.True(
            c.CodesOnly.LogMelDistanceDb < c.Engine.LogMelDistanceDb + CodesOnlyMarginDb,
            $"{c.Anchor}: codes only {c.CodesOnly.LogMelDistanceDb:F2} dB, engine {c.Engine.LogMelDistanceDb:F2} dB"));
        string json = File.ReadAllText(Path.Combine(run, WorldEvaluation.FileName));
        Assert.Contains("\"codesOnly\": {", json);
        Assert.Contains("\"codesOnlyLogMelDistanceDb\":", json);
        Assert.Contains("\"clippedSamplesDifference\":", json);
        Assert.DoesNotContain("\"generation\"", json); // only with --generation
        // 16 files: the run validated on some of them, and the report keeps the two apart.
        Assert.Equal([WorldEvaluation.Train, WorldEvaluation.Validation], report.Splits.Select(m => m.Split));
        Assert.Equal(TestWorld.Anchors, report.Splits.Sum(m => m.Clips));
        Assert.All(report.Splits, m => Assert.True(m.OracleLogMelDistanceDb < m.LogMelDistanceDb, m.Split));
        Assert.Contains($"{report.Splits[0].Split} ({report.Splits[0].Clips} clips)", text.ToString());
        Assert.Contains("codes dB", text.ToString());
    }

    /// <summary>Short notes on two anchors: every figure there and finite, each goal as its measure reads, and the
    /// baseline made from the run's validation clips.</summary>
    [Fact]
    public void GenerationMeasuresEachAnchorAtEachTemperatureAgainstTheBaseline()
    {
        string run = CopyOfRun();
        var text = new StringWriter();
        double[] temperatures = [0.7, 1.0, 1.5];
        var settings = new GenerationSettings(4, temperatures, MaxAnchors: 2);
        Assert.Equal(0, EvaluateCommand.Evaluate(run, null, Console(text), settings));
        output.WriteLine(text.ToString());

        var report = WorldEvaluation.Read(Path.Combine(run, WorldEvaluation.FileName));
        Assert.Equal(TestWorld.Anchors, report.Clips.Length); // the reconstruction rows are all still there
        var g = Assert.IsType<GenerationEvaluation>(report.Generation);
        Assert.Equal(4, g.Seconds);
        Assert.Equal(1, g.Variation);
        Assert.Equal(GenerationEvaluation.PcaAxes, g.PcaComponents);
        Assert.Equal(TestWorld.Anchors, g.TrainingClips + g.ValidationClips);
        Assert.InRange(g.ValidationClips, 1, TestWorld.Anchors - 1);
        Assert.True(double.IsFinite(g.BaselineFrechet) && g.BaselineFrechet > 0, $"{g.BaselineFrechet}");
        Assert.Equal(temperatures, g.Temperatures.Select(t => t.Temperature));
        Assert.All(g.Temperatures, t =>
        {
            Assert.True(double.IsFinite(t.FrechetToTraining) && t.FrechetToTraining > 0, $"{t}");
            Assert.Equal(t.FrechetToTraining / g.BaselineFrechet, t.BaselineRatio, 12);
            Assert.Equal((bool?)(t.BaselineRatio <= GenerationGoals.FrechetRatio), t.Goal);
        });
        Assert.Equal(report.Clips.Take(2).Select(c => c.Anchor), g.Anchors.Select(a => a.Anchor));
        foreach (var a in g.Anchors)
        {
            Assert.True(double.IsFinite(a.ReplayFrechetToOriginal) && a.ReplayFrechetToOriginal > 0, a.Anchor);
            Assert.True(double.IsFinite(a.ReplayWindowDistanceRatio) && a.ReplayWindowDistanceRatio > 0, a.Anchor);
            Assert.Equal(temperatures, a.Notes.Select(n => n.Temperature));
            foreach (var n in a.Notes)
            {
                var m = n.Measures;
                double[] figures =
                [
                    n.FrechetToOriginal, m.WorstWindowDistanceDb, m.OriginalWorstWindowDistanceDb, m.MinRmsDb,
                    m.MaxRmsDb, m.OriginalMinRmsDb, m.OriginalMaxRmsDb, m.SilentFraction, m.WindowDistanceRatio,
                ];
                Assert.All(figures, v => Assert.True(double.IsFinite(v), $"{a.Anchor} at {n.Temperature}: {m}"));
                Assert.True(n.FrechetToOriginal > 0 && m.OriginalWorstWindowDistanceDb > 0, $"{a.Anchor}: {m}");
                Assert.True(m.MinRmsDb <= m.MaxRmsDb && m.OriginalMinRmsDb <= m.OriginalMaxRmsDb, $"{m}");
                Assert.InRange(m.MaxRmsDb, -120, 0);
                Assert.InRange(m.SilentFraction, 0, 1);
                Assert.InRange(m.SilentHoleFrames, 0, m.SilentFrames);
                Assert.Equal(0, m.OriginalClippedSamples + m.ClippedSamples); // the limiter keeps notes below 1
                Assert.Equal(GenerationGoals.Of(m), n.Goals);
                // The original's own figures do not depend on the note.
                Assert.Equal(a.Notes[0].Measures.OriginalWorstWindowDistanceDb, m.OriginalWorstWindowDistanceDb);
            }
        }
        string json = File.ReadAllText(Path.Combine(run, WorldEvaluation.FileName));
        foreach (string field in new[] { "generation", "baselineFrechet", "frechetToTraining", "baselineRatio",
                                         "replayFrechetToOriginal", "replayWindowDistanceRatio", "frechetToOriginal",
                                         "worstWindowDistanceDb",
                                         "originalWorstWindowDistanceDb", "rmsBeyondOriginalRangeDb", "silentFrames",
                                         "silentHoleFrames", "clickFrames", "clippedSamplesDifference", "noSilentHole" })
            Assert.Contains($"\"{field}\":", json);
        Assert.Contains("Fréchet to training", text.ToString());
        Assert.Contains($"Goals met by", text.ToString());
        Assert.Contains("the codec's share of the window goal", text.ToString());
        Assert.Contains("A silent hole is a run of silent 50 ms frames longer than the original's longest", text.ToString());
    }

    [Fact]
    public void ASplitLimitsTheEvaluationToItsClips()
    {
        string run = Path.GetDirectoryName(TestWorld.BundlePath)!;
        var report = WorldEvaluation.Run(run, null, WorldEvaluation.Validation);
        Assert.NotEmpty(report.Clips);
        Assert.True(report.Clips.Length < TestWorld.Anchors);
        Assert.All(report.Clips, c => Assert.Equal(WorldEvaluation.Validation, c.Split));
        Assert.Equal([WorldEvaluation.Validation], report.Splits.Select(m => m.Split));
        Assert.Empty(report.Unmatched); // the other split's clips are left out, not missing
    }

    [Fact]
    public void ABareWorldIsMatchedToClipsByName()
    {
        string corpus = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(TestWorld.BundlePath)!)!, "corpus");
        string root = ExternalTools.TempDir("evaluate-world"), clips = Path.Combine(root, "clips");
        string world = Path.Combine(root, "copy.distill");
        Directory.CreateDirectory(clips);
        string first = Directory.GetFiles(corpus, "*.wav").Order(StringComparer.Ordinal).First();
        File.Copy(first, Path.Combine(clips, Path.GetFileName(first)));
        File.Copy(TestWorld.BundlePath, world);

        var text = new StringWriter();
        Assert.Equal(0, EvaluateCommand.Evaluate(world, clips, Console(text)));
        output.WriteLine(text.ToString());
        var report = WorldEvaluation.Read(Path.Combine(root, WorldEvaluation.FileName));
        var only = Assert.Single(report.Clips);
        Assert.Equal(Path.GetFileNameWithoutExtension(first), only.Anchor);
        Assert.Equal(WorldEvaluation.Unknown, only.Split);
        Assert.Equal(TestWorld.Anchors - 1, report.Unmatched.Length);
        AssertFinite(only);
    }

    [Fact]
    public void BadInputsGetOneClearMessage()
    {
        string folder = ExternalTools.TempDir("evaluate-bad"), empty = Path.Combine(folder, "empty");
        Directory.CreateDirectory(empty);
        var cases = new (string[] Args, string Expected)[]
        {
            (["evaluate", Path.Combine(folder, "none")], "No run folder or world"),
            (["evaluate", TestWorld.BundlePath], "Give the folder of the original clips"),
            (["evaluate", TestWorld.BundlePath, Path.Combine(folder, "missing")], "does not exist"),
            (["evaluate", empty], "not a Distill run folder"),
            (["evaluate", TestWorld.BundlePath, empty], "None of the"),
            (["evaluate", empty, "--seconds", "4"], "need --generation"),
            (["evaluate", empty, "--generation", "--seconds", "0"], "--seconds must be above 0"),
            (["evaluate", empty, "--generation", "--temperatures", "0.7,x"], "--temperatures takes numbers"),
            (["evaluate", empty, "--generation", "--temperatures", "3"], "--temperatures takes numbers"),
            (["evaluate", empty, "--generation", "--anchors", "0"], "--anchors must be at least 1"),
        };
        foreach (var (args, expected) in cases)
        {
            var r = DistillProcess.Run(args);
            output.WriteLine(r.Output);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(expected, r.Output);
            Assert.DoesNotContain("   at ", r.Output);
        }
    }
}
