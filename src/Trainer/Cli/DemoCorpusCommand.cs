using System.CommandLine;
using Distill.Runtime.Demo;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill demo-corpus &lt;dir&gt;</c>: the built-in synthetic textures, for trying Distill without
/// your own sounds.</summary>
public static class DemoCorpusCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir")
        {
            Description = "Folder to write the demo WAV files into (created if missing)."
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the generator.", DefaultValueFactory = _ => 1 };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Length of each file.", DefaultValueFactory = _ => 6.0
        };
        var command = new Command("demo-corpus", "Write the built-in demo corpus of synthetic textures.")
        {
            dir, seed, seconds
        };
        command.SetAction(parse =>
        {
            string target = parse.GetValue(dir)!;
            IReadOnlyList<string> files;
            try
            {
                files = DemoCorpus.Generate(target, parse.GetValue(seed), parse.GetValue(seconds));
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                throw new UserFacingException(e.Message);
            }
            AnsiConsole.MarkupLineInterpolated(
                $"Wrote {files.Count} demo files to [bold]{Path.GetFullPath(target)}[/]");
            return 0;
        });
        return command;
    }
}
