using Distill.Runtime.Automation;
using Distill.Runtime.Midi;

namespace Distill.Runtime.Engine;

public enum PerformanceEventKind : byte { Parameter, NoteOff, AllNotesOff, NoteOn }

/// <summary>Receives each rendered block; the spans are reused for the next block.</summary>
public delegate void AudioBlockSink(ReadOnlySpan<float> left, ReadOnlySpan<float> right);

/// <summary>One thing that happens in a performance, at a time in seconds.</summary>
public readonly record struct PerformanceEvent(double Seconds, PerformanceEventKind Kind, int Key = 0, float Velocity = 0,
                                               ParameterId Parameter = 0, double Value = 0);

/// <summary>
/// A score for the instrument — notes from a Standard MIDI File, parameter automation from a CSV — and its
/// offline render: the same <see cref="Instrument"/> a plugin runs, in offline mode, fed block by block with every
/// event at its exact sample. Same inputs and seed → the same samples, whatever the block size.
/// </summary>
public static class Performance
{
    /// <summary>Notes (velocity 0–127 → 0–1), CC1 → mod wheel, CC120/123 → all notes off; other messages are ignored.</summary>
    public static IEnumerable<PerformanceEvent> FromMidi(MidiSequence midi)
    {
        foreach (var e in midi.Events)
        {
            switch (e.Kind)
            {
                case MidiEventKind.NoteOn:
                    yield return new PerformanceEvent(e.Seconds, PerformanceEventKind.NoteOn, e.Number, e.Value / 127f);
                    break;
                case MidiEventKind.NoteOff:
                    yield return new PerformanceEvent(e.Seconds, PerformanceEventKind.NoteOff, e.Number);
                    break;
                case MidiEventKind.ControlChange when e.Number == 1:
                    yield return new PerformanceEvent(e.Seconds, PerformanceEventKind.Parameter, Parameter: ParameterId.ModWheel, Value: e.Value / 127.0);
                    break;
                case MidiEventKind.ControlChange when e.Number is 120 or 123:
                    yield return new PerformanceEvent(e.Seconds, PerformanceEventKind.AllNotesOff);
                    break;
            }
        }
    }

    /// <summary>Automation rows by parameter key (<see cref="ParameterSpec.Key"/>), checked against the instrument's parameters.</summary>
    public static IEnumerable<PerformanceEvent> FromAutomation(IReadOnlyList<AutomationPoint> points, string source = "automation")
    {
        AutomationCsv.CheckParameters(points, InstrumentParameters.All.Select(p => p.Key).ToArray(), source);
        var outside = (from p in points
                       let spec = InstrumentParameters.ByKey(p.Parameter)!
                       where p.Value < spec.Min || p.Value > spec.Max
                       select FormattableString.Invariant($"line {p.Line}: {p.Parameter} {p.Value} is outside its range {spec.Min}–{spec.Max}")).ToList();
        if (outside.Count > 0) throw new AutomationFormatException(source, outside);
        return points.Select(p => new PerformanceEvent(p.Seconds, PerformanceEventKind.Parameter,
                                                       Parameter: InstrumentParameters.ByKey(p.Parameter)!.Id, Value: p.Value));
    }

    /// <summary>Renders <paramref name="seconds"/> of audio at <paramref name="sampleRate"/> into memory; see the
    /// overload with an <see cref="AudioBlockSink"/> for renders too long to hold.</summary>
    public static (float[] Left, float[] Right) Render(Instrument instrument, IEnumerable<PerformanceEvent> events, int sampleRate,
                                                       double seconds, int blockSize = 512)
    {
        long length = Samples(seconds, sampleRate);
        var left = new float[length];
        var right = new float[length];
        long at = 0;
        Render(instrument, events, sampleRate, length, (l, r) =>
        {
            l.CopyTo(left.AsSpan((int)at));
            r.CopyTo(right.AsSpan((int)at));
            at += l.Length;
        }, blockSize);
        return (left, right);
    }

    /// <summary>Renders <paramref name="length"/> samples at <paramref name="sampleRate"/>, handing each block to
    /// <paramref name="sink"/> as it is made, in constant memory. Events are applied at their sample (parameters before
    /// note-offs before note-ons when simultaneous, so automation at 0 shapes the first note).</summary>
    public static void Render(Instrument instrument, IEnumerable<PerformanceEvent> events, int sampleRate, long length,
                              AudioBlockSink sink, int blockSize = 512)
    {
        var timeline = events.Select(e => (Sample: (long)Math.Round(e.Seconds * sampleRate), Event: e))
                             .OrderBy(e => e.Sample).ThenBy(e => e.Event.Kind).ToArray();
        var left = new float[blockSize];
        var right = new float[blockSize];
        bool offline = instrument.Offline;
        instrument.Offline = true;
        instrument.Activate(sampleRate, blockSize);
        int next = 0;
        for (long at = 0; at < length;)
        {
            while (next < timeline.Length && timeline[next].Sample <= at) Apply(instrument, timeline[next++].Event);
            long end = Math.Min(length, at + blockSize);
            if (next < timeline.Length) end = Math.Min(end, timeline[next].Sample);
            int n = (int)(end - at);
            instrument.Render(left.AsSpan(0, n), right.AsSpan(0, n));
            sink(left.AsSpan(0, n), right.AsSpan(0, n));
            at = end;
        }
        instrument.Offline = offline;
    }

    /// <summary>Whole samples covering <paramref name="seconds"/>.</summary>
    public static long Samples(double seconds, int sampleRate) => (long)Math.Ceiling(seconds * sampleRate);

    static void Apply(Instrument instrument, in PerformanceEvent e)
    {
        switch (e.Kind)
        {
            case PerformanceEventKind.NoteOn: instrument.NoteOn(e.Key, e.Velocity); break;
            case PerformanceEventKind.NoteOff: instrument.NoteOff(e.Key); break;
            case PerformanceEventKind.AllNotesOff: instrument.AllNotesOff(); break;
            case PerformanceEventKind.Parameter: instrument.SetParameter(e.Parameter, e.Value); break;
        }
    }

    /// <summary>The score's length plus the release tail, for renders that should end in silence.</summary>
    public static double NaturalLength(IEnumerable<PerformanceEvent> events, double releaseSeconds) =>
        events.Select(e => e.Seconds).DefaultIfEmpty(0).Max() + releaseSeconds + 0.5;
}
