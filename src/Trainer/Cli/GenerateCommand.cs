using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Distill.Runtime.Audio;
using Distill.Runtime.Dsp;
using Distill.Runtime.Sampling;
using Distill.Runtime.Text;
using Distill.Trainer.Prior;
using Distill.Trainer.Training;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill generate</c>: new material from a trained world's prior, written as a WAV.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run-dir") { Description = "A run folder trained by distill train (autoencoder and prior)." };
        var seconds = new Option<double>("--seconds") { Description = "Length to generate.", DefaultValueFactory = _ => 10 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0 = greedy (always the most likely code).", DefaultValueFactory = _ => 0.9f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely codes only (0 = all).", DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { Description = "Sample within the smallest set of codes holding this probability (1 = all).", DefaultValueFactory = _ => 1f };
        var levelTemperature = new Option<string?>("--level-temperature") { Description = "Per-level temperature multipliers, coarse to fine, e.g. 0.5,1,1,1.5 (keep coarse levels steady, let fine ones vary)." };
        var anchor = new Option<string?>("--anchor") { Description = "Continue from this training clip (its name without extension); default: from scratch." };
        var seed = new Option<int>("--seed") { Description = "Seed of the sampler and of the phase reconstruction.", DefaultValueFactory = _ => 1 };
        var depth = new Option<int?>("--depth") { Description = "Decode with the first n RVQ levels only (default: all)." };
        var output = new Option<string>("--output", "-o") { Description = "WAV file to write (48 kHz, 16-bit).", Required = true };
        var command = new Command("generate",
            "Generate audio from a world's prior. Sound comes out through offline fast Griffin–Lim phase reconstruction (64 iterations) of the decoder's linear-magnitude head.")
        {
            run, seconds, temperature, topK, topP, levelTemperature, anchor, seed, depth, output,
        };
        command.SetAction(parse => Generate(parse.GetValue(run)!, parse.GetValue(seconds), new SamplingSettings(parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(topP)),
                                            parse.GetValue(levelTemperature), parse.GetValue(anchor), parse.GetValue(seed), parse.GetValue(depth), parse.GetValue(output)!));
        return command;
    }

    static int Generate(string runDir, double seconds, SamplingSettings sampling, string? levelTemperature, string? anchorName,
                        int seed, int? depth, string output)
    {
        if (seconds <= 0) throw new UserFacingException("--seconds must be positive.");
        var run = TrainedRun.Open(runDir);
        var prior = run.LoadPrior();
        int levels = run.Config.Model.Levels;
        var scales = ParseLevelScales(levelTemperature, levels);
        CodeSequence? anchor = null;
        if (anchorName is not null)
        {
            var codes = run.LoadCodes();
            anchor = codes.FirstOrDefault(c => c.Name == anchorName)
                     ?? throw new UserFacingException($"No anchor named '{DisplayText.Escape(anchorName)}'. Anchors: {string.Join(", ", codes.Select(c => DisplayText.Escape(c.Name)))}");
        }
        int steps = Math.Max(1, (int)Math.Round(seconds * new FeatureConfig().FramesPerSecond / run.Config.Model.Downsampling));
        var clock = Stopwatch.StartNew();
        var tokens = PriorGenerator.Generate(prior, new GenerationRequest(steps, sampling, scales, (ulong)seed, anchor));
        double tokenSeconds = clock.Elapsed.TotalSeconds;
        var audio = run.Render(tokens, Math.Clamp(depth ?? levels, 1, levels), seed: (ulong)seed);
        try
        {
            WavWriter.Write(output, audio, new FeatureConfig().SampleRate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write '{output}': {e.Message}");
        }
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{Path.GetFullPath(output)}[/]: {audio.Length / 48000.0:F2} s, {tokens.Length} tokens at {tokens.Length / tokenSeconds:F0} tokens/s{(anchor is null ? "" : $", continuing '{DisplayText.Escape(anchor.Name)}'")}.");
        return 0;
    }

    public static float[] ParseLevelScales(string? text, int levels)
    {
        if (text is null) return Enumerable.Repeat(1f, levels).ToArray();
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != levels || !parts.All(p => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && v >= 0))
            throw new UserFacingException($"--level-temperature needs {levels} non-negative numbers separated by commas, e.g. {string.Join(",", Enumerable.Repeat("1", levels))}.");
        return parts.Select(p => float.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }
}
