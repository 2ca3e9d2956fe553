using System.CommandLine;
using Distill.Trainer;
using Distill.Trainer.Cli;
using Spectre.Console;

var root = new RootCommand("Distill: learn a playable sound world from a folder of your sounds.")
{
    TrainCommand.Create(),
    DemoCorpusCommand.Create(),
    BenchmarkCommand.Create(),
};
try
{
    return root.Parse(args).Invoke();
}
catch (UserFacingException e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
    return 2;
}
