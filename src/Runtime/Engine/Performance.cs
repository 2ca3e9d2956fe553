using System.Runtime.InteropServices;
using Distill.Runtime.Automation;
using Distill.Runtime.Midi;

namespace Distill.Runtime.Engine;

/// <summary>Receives each rendered block; the spans are reused for the next block.</summary>
public delegate void AudioBlockSink(ReadOnlySpan<float> left, ReadOnlySpan<float> right);

/// <summary>One thing that happens in a performance, at a time in seconds (the event's offset is set per
/// block).</summary>
public readonly record struct PerformanceEvent(double Seconds, InstrumentEvent Event);

/// <summary>
/// A score for the instrument — notes from a Standard MIDI File, parameter automation from a CSV — and its
/// offline render: the same <see cref="Instrument"/> a plugin runs, in offline mode, fed block by block with every
/// event at its exact sample. Same inputs and seed → the same samples, whatever the block size.
/// </summary>
public static class Performance
{
    /// <summary>The file's channel messages through <see cref="InstrumentEvent.FromMidi"/>, the mapping hosts' MIDI
    /// takes.</summary>
    public static IEnumerable<PerformanceEvent> FromMidi(MidiSequence midi)
    {
        foreach (var e in midi.Events)
            if (InstrumentEvent.FromMidi(0, Status(e), (byte)e.Number, (byte)e.Value, out var translated))
                yield return new PerformanceEvent(e.Seconds, translated);
    }

    static byte Status(MidiEvent e) =>
        (byte)((e.Kind switch { MidiEventKind.NoteOn => 0x90, MidiEventKind.NoteOff => 0x80, _ => 0xB0 })
               | (e.Channel & 0x0F));

    /// <summary>Automation rows by parameter key (<see cref="ParameterSpec.Key"/>), checked against the
    /// instrument's parameters.</summary>
    public static IEnumerable<PerformanceEvent> FromAutomation(IReadOnlyList<AutomationPoint> points,
                                                               string source = "automation")
    {
        AutomationCsv.CheckParameters(points, InstrumentParameters.All.Select(p => p.Key).ToArray(), source);
        var outside = (from p in points
                       let spec = InstrumentParameters.ByKey(p.Parameter)!
                       where p.Value < spec.Min || p.Value > spec.Max
                       select FormattableString.Invariant(
                           $"line {p.Line}: {p.Parameter} {p.Value} is outside its range {spec.Min}–{spec.Max}"))
                       .ToList();
        if (outside.Count > 0) throw new AutomationFormatException(source, outside);
        return points.Select(p => new PerformanceEvent(
            p.Seconds, InstrumentEvent.ParameterValue(0, (uint)InstrumentParameters.ByKey(p.Parameter)!.Id, p.Value)));
    }

    /// <summary>Renders <paramref name="seconds"/> of audio at <paramref name="sampleRate"/> into memory; see the
    /// overload with an <see cref="AudioBlockSink"/> for renders too long to hold.</summary>
    public static (float[] Left, float[] Right) Render(Instrument instrument, IEnumerable<PerformanceEvent> events,
                                                       int sampleRate, double seconds, int blockSize = 512)
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
    /// <paramref name="sink"/> as it is made, in constant memory. Each block goes through the instrument with its
    /// events, as a plugin host's block does; simultaneous events apply in <see cref="InstrumentEventKind"/> order.
    /// </summary>
    public static void Render(Instrument instrument, IEnumerable<PerformanceEvent> events, int sampleRate, long length,
                              AudioBlockSink sink, int blockSize = 512)
    {
        var timeline = events.Select(e => (Sample: (long)Math.Round(e.Seconds * sampleRate), e.Event))
                             .OrderBy(e => e.Sample).ThenBy(e => e.Event.Kind).ToArray();
        var left = new float[blockSize];
        var right = new float[blockSize];
        var due = new List<InstrumentEvent>();
        bool offline = instrument.Offline;
        instrument.Offline = true;
        instrument.Activate(sampleRate, blockSize);
        int next = 0;
        for (long at = 0; at < length; at += blockSize)
        {
            int n = (int)Math.Min(blockSize, length - at);
            due.Clear();
            for (; next < timeline.Length && timeline[next].Sample < at + n; next++)
                due.Add(timeline[next].Event with { Offset = (int)Math.Max(timeline[next].Sample - at, 0) });
            instrument.Render(CollectionsMarshal.AsSpan(due), left.AsSpan(0, n), right.AsSpan(0, n));
            sink(left.AsSpan(0, n), right.AsSpan(0, n));
        }
        instrument.Offline = offline;
    }

    /// <summary>Whole samples covering <paramref name="seconds"/>.</summary>
    public static long Samples(double seconds, int sampleRate) => (long)Math.Ceiling(seconds * sampleRate);

    /// <summary>The score's length plus the release tail, for renders that should end in silence.</summary>
    public static double NaturalLength(IEnumerable<PerformanceEvent> events, double releaseSeconds) =>
        events.Select(e => e.Seconds).DefaultIfEmpty(0).Max() + releaseSeconds + 0.5;
}
