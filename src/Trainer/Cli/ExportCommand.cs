using System.CommandLine;
using Distill.Runtime.Text;
using Distill.Trainer.Export;
using Distill.Trainer.Pipeline;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill export</c>: a trained run folder → a <c>.distill</c> world the plugins and
/// <c>distill render</c> play.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run-dir")
        {
            Description = "A run folder trained by distill train (autoencoder and prior).",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "The .distill file to write.", Required = true,
        };

        var name = new Option<string?>("--name")
        {
            Description = "World name shown in the plugin (default: the run folder's name).",
        };
        var priorWeights = new Option<PriorWeights>("--prior-weights")
        {
            Description = "How the prior's block weights are stored: Float32, or Int8 (about a quarter of the memory " +
                          "to read per token, faster for large priors; logits within the bounds the export tests state).",
            DefaultValueFactory = _ => PriorWeights.Float32,
        };
        var command = new Command("export",
            "Export a trained world (encoder, decoder and prior as ONNX, anchors, manifest) to one .distill file.")
        {
            run, output, name, priorWeights,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(output)!;
            var manifest = TrainedRun.Open(parse.GetValue(run)!).Export(path, parse.GetValue(name),
                                                                       parse.GetValue(priorWeights));
            double mebibytes = new FileInfo(path).Length / 1024.0 / 1024;
            AnsiConsole.MarkupLine(
                $"Exported world [bold]{Markup.Escape(DisplayText.Escape(manifest.Name))}[/] → " +
                Markup.Escape($"{Path.GetFullPath(path)} ({mebibytes:F1} MiB, {manifest.Anchors.Length} anchors). " +
                              $"Install it with: distill install-world {path}"));
            return 0;
        });
        return command;
    }
}
