using System.CommandLine;
using Distill.Trainer;
using Distill.Trainer.Cli;

Distill.Runtime.Inference.InferenceDevice.PreferCuda = Distill.Runtime.Inference.InferenceDevice.CudaBuild;
var root = new RootCommand("Distill: learn a playable sound world from a folder of your sounds.")
{
    TrainCommand.Create(),
    GenerateCommand.Create(),
    DemoCorpusCommand.Create(),
    BenchmarkCommand.Create(),
    ExportCommand.Create(),
    InspectCommand.Create(),
    RenderCommand.Create(),
    EvaluateCommand.Create(),
    InstallWorldCommand.Create(),
    Distill.Trainer.Studio.StudioCommand.Create(),
};
try
{
    // Our own handler below: user errors print one clear line, never a stack trace.
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UserFacingException e)
{
    Console.Error.WriteLine($"error: {e.Message}"); // plain stderr: never wrapped, easy to grep
    return 2;
}
