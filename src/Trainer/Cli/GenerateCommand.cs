using System.CommandLine;
using Distill.Runtime.Text;
using Distill.Trainer.Export;
using Distill.Trainer.Pipeline;
using Spectre.Console;
using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;

namespace Distill.Trainer.Cli;

/// <summary><c>distill generate</c>: one note of a trained world, continued by its prior, written as a WAV: the
/// exported world played by the plugins' own engine, so it sounds exactly as the plugin does.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var world = new Argument<string>("world")
        {
            Description = "A run folder trained by distill train (its world.distill is played), or a .distill world.",
        };
        var seconds = new Option<double>("--seconds")
        {
            Description = "Length to generate.", DefaultValueFactory = _ => 10,
        };
        var temperature = Parameter<float>("--temperature", ParameterId.Temperature,
                                           "Sampling temperature; 0 = greedy (always the most likely code).");
        var topK = Parameter<int>("--top-k", ParameterId.TopK, "Sample among the k most likely codes only (0 = all).");
        var topP = Parameter<float>("--top-p", ParameterId.TopP,
                                    "Sample within the smallest set of codes holding this probability (1 = all).");
        var levelTilt = Parameter<float>("--level-tilt", ParameterId.LevelTilt,
            "Per-level temperature, as the plugin's Level tilt: positive keeps coarse levels steady and lets fine " +
            "detail vary, negative the reverse (it replaces --level-temperature: the engine has no per-level list).");
        var anchor = new Option<string?>("--anchor")
        {
            Description = "Continue this training clip (its name without extension): the key that plays it is held. " +
                          $"Default: the anchor that key {WorldNote.MiddleC} (middle C) plays.",
        };
        var seed = Parameter<int>("--seed", ParameterId.Seed,
                                  "Seed of generation: the same seed plays the same texture.");
        var depth = new Option<int?>("--depth")
        {
            Description = "Decode with the first n RVQ levels only (default: all).",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = $"WAV file to write ({WorldNote.SampleRate} Hz stereo, 24-bit).", Required = true,
        };
        var command = new Command("generate",
            "Generate audio from a trained world: one note held on it, its anchor's opening continued freely by the " +
            "prior (variation 1), played by the same streaming engine as the plugins and distill render.")
        {
            world, seconds, temperature, topK, topP, levelTilt, anchor, seed, depth, output,
        };
        command.SetAction(parse =>
        {
            string path = WorldOf(parse.GetValue(world)!);
            var note = new WorldNote(Key(path, parse.GetValue(anchor)), parse.GetValue(seconds))
            {
                Temperature = parse.GetValue(temperature), TopK = parse.GetValue(topK), TopP = parse.GetValue(topP),
                LevelTilt = parse.GetValue(levelTilt), Seed = parse.GetValue(seed),
                Depth = parse.GetValue(depth) ?? InstrumentParameters.Get(ParameterId.Depth).Default,
            };
            return Generate(path, note, parse.GetValue(output)!, parse.GetValue(anchor));
        });
        return command;
    }

    /// <summary>An option for one of the instrument's parameters, with its default and range.</summary>
    static Option<T> Parameter<T>(string name, ParameterId id, string description)
    {
        var spec = InstrumentParameters.Get(id);
        var option = new Option<T>(name)
        {
            Description = FormattableString.Invariant($"{description} ({spec.Min}–{spec.Max})"),
            DefaultValueFactory = _ => (T)Convert.ChangeType(spec.Default, typeof(T)),
        };
        return option;
    }

    /// <summary>A run folder's world, or the given world file.</summary>
    static string WorldOf(string path)
    {
        if (File.Exists(path)) return path;
        string inRun = Path.Combine(path, WorldExport.DefaultFile);
        if (File.Exists(inRun)) return inRun;
        throw new UserFacingException(Directory.Exists(path)
            ? $"'{path}' holds no world ({WorldExport.DefaultFile}): finish training it with " +
              $"distill train --resume {path}"
            : $"No world or run folder at '{path}'.");
    }

    static int Key(string world, string? anchorName)
    {
        if (anchorName is null) return WorldNote.MiddleC;
        WorldManifest manifest;
        try { manifest = WorldBundle.Open(world).Manifest; }
        catch (InvalidWorldException e)
        {
            throw new UserFacingException($"'{world}' cannot be played:\n  {string.Join("\n  ", e.Problems)}");
        }
        var names = manifest.Anchors.Select(a => a.Name).ToList();
        int index = names.IndexOf(anchorName);
        if (index < 0)
            throw new UserFacingException($"No anchor named '{DisplayText.Escape(anchorName)}'. " +
                                          $"Anchors: {string.Join(", ", names.Select(DisplayText.Escape))}");
        if (index > 127)
            throw new UserFacingException($"Anchor '{DisplayText.Escape(anchorName)}' is number {index + 1}: " +
                                          "no MIDI key plays anchors after the 128th.");
        return WorldNote.KeyFor(index, names.Count);
    }

    /// <summary>Refuses a value outside the parameter's range, as the plugin would clamp it silently.</summary>
    static void Check(string name, ParameterId id, double value)
    {
        var spec = InstrumentParameters.Get(id);
        if (!(value >= spec.Min && value <= spec.Max))
            throw new UserFacingException(
                FormattableString.Invariant($"{name} must be from {spec.Min} to {spec.Max} (is {value})."));

    }

    static int Generate(string world, WorldNote note, string output, string? anchorName)
    {
        if (!(note.Seconds > 0)) throw new UserFacingException("--seconds must be positive.");
        Check("--temperature", ParameterId.Temperature, note.Temperature);
        Check("--top-k", ParameterId.TopK, note.TopK);
        Check("--top-p", ParameterId.TopP, note.TopP);
        Check("--level-tilt", ParameterId.LevelTilt, note.LevelTilt);
        Check("--seed", ParameterId.Seed, note.Seed);
        Check("--depth", ParameterId.Depth, note.Depth);
        if (string.IsNullOrWhiteSpace(output) || Directory.Exists(output))
            throw new UserFacingException($"-o '{output}' must name a WAV file to write.");
        note.Write(world, output);
        string continuing = anchorName is null ? $"key {note.Key}" : $"continuing '{DisplayText.Escape(anchorName)}'";
        AnsiConsole.WriteLine($"Wrote {Path.GetFullPath(output)}: {note.Seconds:F2} s at {WorldNote.SampleRate} Hz, " +
                              $"{continuing}.");
        return 0;
    }
}
