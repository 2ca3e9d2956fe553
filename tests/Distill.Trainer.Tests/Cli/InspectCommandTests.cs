using System.Globalization;
using Distill.Runtime.Bundle;
using Distill.Tests.Bundle;
using Distill.Trainer.Cli;
using Spectre.Console;

namespace Distill.Tests.Cli;

public class InspectCommandTests(Xunit.Abstractions.ITestOutputHelper log)
{
    static readonly WorldGraphFiles Models = SyntheticBundle.Models();

    static string WriteWorld(int anchors)
    {
        string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "distill-inspect-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        string path = Path.Combine(folder, "world.distill");
        WorldBundleWriter.Write(path, SyntheticBundle.Manifest(Models, anchors), Models);
        return path;
    }

    [Fact]
    public void SummaryShowsEverySectionAndTheFirstTwentyAnchors()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string path = WriteWorld(anchors: 25);
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(text), Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;

        Assert.Equal(0, InspectCommand.Inspect(path, console));
        string output = text.ToString();
        log.WriteLine(output);

        foreach (var expected in new[]
                 {
                     "Test world", "distill tests", "2025-05-17 12:30 UTC", "48 kHz", "93.75 frames/s", "128 mel bands 0–24000 Hz",
                     "5.859 steps/s (16 frames each), 8 frequency positions", "4 levels × 64 codes",
                     "context 8 steps = 256 tokens (1.37 s)", // 8 / (48000 / 512 / 16) s
                     "25 files", "validation loss 0.3100", "prior 800 steps",
                     "Anchors: 25", "clip19", "… and 5 more", "300 B", "1000 B",
                 })
            Assert.Contains(expected, output);
        Assert.DoesNotContain("clip20", output);
        // Level 0: prior 3.10 vs unigram 4.80 bits saves 1 − 3.1/4.8 = 35%; level 3: 5.20 vs 5.60 saves 7%.
        var level0 = output.Split('\n').Single(l => l.Contains("3.10"));
        foreach (var cell in new[] { "90", "40", "6", "4.80", "35%" }) Assert.Contains(cell, level0);
        Assert.Contains("7%", output.Split('\n').Single(l => l.Contains("5.20")));
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }

    [Fact]
    public void NamesFromTheBundleCannotReachTheTerminalAsEscapes()
    {
        string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "distill-inspect-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        string path = Path.Combine(folder, "world.distill");
        var valid = SyntheticBundle.Manifest(Models);
        var hostile = valid with
        {
            Name = "\u001b]0;pwned\u0007\u001b[2Jworld", Producer = "distill\u001b[31m red",
            Anchors = valid.Anchors.Select((a, i) => a with { Name = $"clip{i}\u001b[1A\r\u009b2K" }).ToArray(),
        };
        WorldBundleWriter.Write(path, hostile, Models);

        var result = DistillProcess.Run("inspect", path);
        log.WriteLine(result.Output);
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(result.Output, c => c is '\u001b' or '\u0007' or '\r' or '\u009b');
        Assert.Contains("\\x1b]0;pwned\\x07\\x1b[2Jworld", result.Output);
        Assert.Contains("clip0\\x1b[1A\\x0d\\x9b2K", result.Output);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void CliPrintsTheWorldOrItsProblemsWithExitCodeOne()
    {
        string path = WriteWorld(anchors: 3);
        var ok = DistillProcess.Run("inspect", path);
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("Test world", ok.Output);

        var damaged = File.ReadAllBytes(path);
        File.WriteAllBytes(path, damaged[..(damaged.Length - 30)]);
        var bad = DistillProcess.Run("inspect", path);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"'{path}' is not a valid Distill world", bad.Output);
        Assert.Contains("not a zip archive", bad.Output);
        Assert.DoesNotContain("   at ", bad.Output);

        var missing = DistillProcess.Run("inspect", path + ".nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("cannot be read", missing.Output);
        Directory.Delete(Path.GetDirectoryName(path)!, true);
    }
}
