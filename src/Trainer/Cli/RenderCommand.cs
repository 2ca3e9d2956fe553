using System.CommandLine;
using System.Diagnostics;
using Distill.Runtime.Audio;
using Distill.Runtime.Automation;
using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;
using Distill.Runtime.Midi;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill render</c>: a world played from a MIDI file (and automation) offline, through the same
/// instrument engine the plugins run, to a WAV. Same inputs and seed → the same file, bit for bit.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var world = new Argument<string>("world") { Description = "A .distill world (from distill export or distill train)." };
        var midi = new Option<string>("--midi") { Description = "Standard MIDI File (format 0 or 1): keys choose the world's sounds, velocity the level.", Required = true };
        var automation = new Option<string?>("--automation") { Description = "CSV of time,parameter,value rows (seconds; parameter keys as in --help's list below)." };
        var rate = new Option<int>("--sample-rate") { Description = "Output sample rate (44100, 48000, 88200, 96000, …).", DefaultValueFactory = _ => 48000 };
        var seed = new Option<int>("--seed") { Description = "Generation seed (the seed parameter).", DefaultValueFactory = _ => 1 };
        var seconds = new Option<double?>("--seconds") { Description = "Length (default: the MIDI file plus the release tail)." };
        var output = new Option<string>("--output", "-o") { Description = "WAV file to write (stereo, 24-bit).", Required = true };
        var keys = string.Join(", ", InstrumentParameters.All.Select(p => $"{p.Key} ({p.Min}–{p.Max})"));
        var command = new Command("render", $"Render a world offline from MIDI notes and parameter automation. Automation parameters: {keys}.")
        {
            world, midi, automation, rate, seed, seconds, output,
        };
        command.SetAction(parse => Render(parse.GetValue(world)!, parse.GetValue(midi)!, parse.GetValue(automation), parse.GetValue(rate),
                                          parse.GetValue(seed), parse.GetValue(seconds), parse.GetValue(output)!));
        return command;
    }

    static int Render(string worldPath, string midiPath, string? automationPath, int sampleRate, int seed, double? seconds, string output)
    {
        if (sampleRate is < 8000 or > 384000) throw new UserFacingException($"--sample-rate {sampleRate} is outside 8000–384000 Hz.");
        if (!File.Exists(worldPath)) throw new UserFacingException($"No world at '{worldPath}'.");
        var events = new List<PerformanceEvent>();
        try
        {
            events.AddRange(Performance.FromMidi(MidiFileReader.Read(midiPath)));
            if (automationPath is not null) events.AddRange(Performance.FromAutomation(AutomationCsv.Read(automationPath), automationPath));
        }
        catch (MidiFormatException e) { throw new UserFacingException($"{midiPath}: {e.Message}"); }
        catch (AutomationFormatException e) { throw new UserFacingException(e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UserFacingException(e.Message); }

        var clock = Stopwatch.StartNew();
        using var instrument = new Instrument([new WorldEntry(Path.GetFileNameWithoutExtension(worldPath), Path.GetFullPath(worldPath))]);
        instrument.SetParameter(ParameterId.Seed, seed);
        string? failure = null;
        instrument.WorldLoadFailed += (_, e) => failure = e is InvalidWorldException w ? string.Join("\n  ", w.Problems) : e.Message;
        double release = events.Where(e => e.Kind == PerformanceEventKind.Parameter && e.Parameter == ParameterId.Release)
                               .Select(e => e.Value).Append(InstrumentParameters.Get(ParameterId.Release).Default).Max();
        double length = seconds ?? Performance.NaturalLength(events, release);
        var (left, right) = Performance.Render(instrument, events, sampleRate, length);
        if (failure is not null) throw new UserFacingException($"'{worldPath}' cannot be played:\n  {failure}");

        var interleaved = new float[left.Length * 2];
        for (int i = 0; i < left.Length; i++) { interleaved[2 * i] = left[i]; interleaved[2 * i + 1] = right[i]; }
        try
        {
            WavWriter.Write(output, interleaved, 2, sampleRate, WavSampleFormat.Pcm24);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write '{output}': {e.Message}");
        }
        int notes = events.Count(e => e.Kind == PerformanceEventKind.NoteOn);
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{Path.GetFullPath(output)}[/]: {length:F2} s at {sampleRate} Hz, {notes} notes, world '{instrument.WorldStatus}', rendered in {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }
}
