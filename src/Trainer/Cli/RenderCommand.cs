using System.CommandLine;
using System.Diagnostics;
using Distill.Runtime.Audio;
using Distill.Runtime.Automation;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Midi;
using Distill.Runtime.Text;
using Distill.Trainer.Pipeline;
using Spectre.Console;

namespace Distill.Trainer.Cli;

/// <summary><c>distill render</c>: a world played from a MIDI file (and automation) offline, through the same
/// instrument engine the plugins run, to a WAV. Same inputs and seed → the same file, bit for bit.</summary>
public static class RenderCommand
{
    public static Command Create()
    {
        var world = new Argument<string>("world")
        {
            Description = "A .distill world (from distill export or distill train).",
        };
        var midi = new Option<string>("--midi")
        {
            Description = "Standard MIDI File (format 0 or 1): keys choose the world's sounds, velocity the level.",
            Required = true,
        };
        var automation = new Option<string?>("--automation")
        {
            Description = "CSV of time,parameter,value rows (seconds; parameter keys as in --help's list below).",
        };
        var rate = new Option<int>("--sample-rate")
        {
            Description = "Output sample rate (44100, 48000, 88200, 96000, …).",
            DefaultValueFactory = _ => FeatureConfig.ModelRate,
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Generation seed (the seed parameter).",
            DefaultValueFactory = _ => 1,
        };
        var seconds = new Option<double?>("--seconds")
        {
            Description = "Length (default: the MIDI file plus the release tail).",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "WAV file to write (stereo, 24-bit).",
            Required = true,
        };
        var keys = string.Join(", ", InstrumentParameters.All.Select(p => $"{p.Key} ({p.Min}–{p.Max})"));
        var command = new Command("render",
            $"Render a world offline from MIDI notes and parameter automation. Automation parameters: {keys}.")
        {
            world, midi, automation, rate, seed, seconds, output,
        };
        command.SetAction(parse => Render(parse.GetValue(world)!, parse.GetValue(midi)!, parse.GetValue(automation),
                                          parse.GetValue(rate), parse.GetValue(seed), parse.GetValue(seconds),
                                          parse.GetValue(output)!));
        return command;
    }


    /// <summary>The length to render: <paramref name="seconds"/> when given, else the score plus the release
    /// tail; either must be a positive number of seconds that a WAV file can hold.</summary>
    static double Length(double? seconds, IReadOnlyList<PerformanceEvent> events, int sampleRate)
    {
        double most = WavFileWriter.MaxFrames(2, WavSampleFormat.Pcm24) / (double)sampleRate;
        if (seconds is { } given)
        {
            if (!double.IsFinite(given) || given <= 0)
                throw new UserFacingException($"--seconds must be a positive number of seconds (is {given}).");
            if (given > most)
                throw new UserFacingException($"--seconds {given} is longer than a 24-bit stereo WAV can hold " +
                                              $"at {sampleRate} Hz (at most {most:F0} s).");
            return given;
        }
        double release = events.Where(e => e.Event.Kind == InstrumentEventKind.ParameterValue
                                           && e.Event.Parameter == (uint)ParameterId.Release)
                               .Select(e => e.Event.Value)
                               .Append(InstrumentParameters.Get(ParameterId.Release).Default).Max();
        double natural = Performance.NaturalLength(events, release);
        if (natural > most)
            throw new UserFacingException($"The MIDI file and automation last {natural:F0} s, longer than a 24-bit " +
                                          $"stereo WAV can hold at {sampleRate} Hz " +
                                          $"(at most {most:F0} s); give --seconds to render the beginning.");
        return natural;
    }

    static int Render(string worldPath, string midiPath, string? automationPath, int sampleRate, int seed,
                      double? seconds, string output)
    {
        if (sampleRate is < 8000 or > 384000)
            throw new UserFacingException($"--sample-rate {sampleRate} is outside 8000–384000 Hz.");
        if (!File.Exists(worldPath)) throw new UserFacingException($"No world at '{worldPath}'.");
        if (string.IsNullOrWhiteSpace(output) || Directory.Exists(output))
            throw new UserFacingException($"-o '{output}' must name a WAV file to write.");
        var events = new List<PerformanceEvent>();
        try
        {
            events.AddRange(Performance.FromMidi(MidiFileReader.Read(midiPath)));
            if (automationPath is not null)
                events.AddRange(Performance.FromAutomation(AutomationCsv.Read(automationPath), automationPath));
        }
        catch (MidiFormatException e) { throw new UserFacingException($"{midiPath}: {e.Message}"); }
        catch (AutomationFormatException e) { throw new UserFacingException(e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException(e.Message);
        }

        double length = Length(seconds, events, sampleRate);

        var clock = Stopwatch.StartNew();
        // The seed first: parameters at a sample apply before the notes there.
        events.Insert(0, new PerformanceEvent(0, InstrumentEvent.ParameterValue(0, (uint)ParameterId.Seed, seed)));
        string world = WorldRender.ToWav(worldPath, events, sampleRate, Performance.Samples(length, sampleRate),
                                         output);
        int notes = events.Count(e => e.Event.Kind == InstrumentEventKind.NoteOn);
        AnsiConsole.MarkupLineInterpolated(
            $"Wrote [bold]{Path.GetFullPath(output)}[/]: {length:F2} s at {sampleRate} Hz, {notes} notes, world '{
                DisplayText.Escape(world)}', rendered in {clock.Elapsed.TotalSeconds:F1} s.");
        return 0;
    }
}
