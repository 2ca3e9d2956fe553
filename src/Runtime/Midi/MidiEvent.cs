namespace Distill.Runtime.Midi;

public enum MidiEventKind : byte { NoteOn, NoteOff, ControlChange }

/// <summary>One channel event of a MIDI file at its time in seconds. <see cref="Number"/> is the note or the
/// controller, <see cref="Value"/> the velocity or the controller value (0–127). A note on with velocity 0 is
/// read as a <see cref="MidiEventKind.NoteOff"/>.</summary>
public readonly record struct MidiEvent(double Seconds, MidiEventKind Kind, int Channel, int Number, int Value)
{
    /// <summary>The nearest sample position at <paramref name="sampleRate"/>.</summary>
    public long SampleAt(double sampleRate) => (long)Math.Round(Seconds * sampleRate);
}

/// <summary>A MIDI file flattened: every note and controller event of every track in time order (equal times
/// keep file order: track, then position in the track).</summary>
/// <param name="LengthSeconds">Time of the last track's end (its End of Track event, or its last event).</param>
public sealed record MidiSequence(int Format, int Tracks, IReadOnlyList<MidiEvent> Events, double LengthSeconds);

/// <summary>A file that is not a readable Standard MIDI File; the message says why and where.</summary>
public sealed class MidiFormatException(string message) : Exception(message);
