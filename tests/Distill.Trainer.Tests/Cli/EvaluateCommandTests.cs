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

    /// <summary>Phase reconstruction and streaming only add to what the codec loses; the margin is for the
    /// alignment and the 80 dB floor, which the two see differently.</summary>
    const double CodesOnlyMarginDb = 1;

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
        // 16 files: the run validated on some of them, and the report keeps the two apart.
        Assert.Equal([WorldEvaluation.Train, WorldEvaluation.Validation], report.Splits.Select(m => m.Split));
        Assert.Equal(TestWorld.Anchors, report.Splits.Sum(m => m.Clips));
        Assert.All(report.Splits, m => Assert.True(m.OracleLogMelDistanceDb < m.LogMelDistanceDb, m.Split));
        Assert.Contains($"{report.Splits[0].Split} ({report.Splits[0].Clips} clips)", text.ToString());
        Assert.Contains("codes dB", text.ToString());
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
