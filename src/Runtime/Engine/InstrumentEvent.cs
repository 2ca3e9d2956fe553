using System.Runtime.InteropServices;

namespace Distill.Runtime.Engine;

/// <summary>What an event does to the instrument. Declared in the order a score (<see cref="Performance"/>) applies
/// events that fall on one sample: parameters first, so automation at a note's sample shapes that note.</summary>
public enum InstrumentEventKind : byte
{
    /// <summary>Parameter <see cref="InstrumentEvent.Parameter"/> takes the plain value
    /// <see cref="InstrumentEvent.Value"/>.</summary>
    ParameterValue,
    NoteOff,
    /// <summary>Stop a note at once, without release.</summary>
    NoteChoke,
    AllNotesOff,
    NoteOn,
}

/// <summary>One timed event for the instrument, whoever sends it: a plugin host (translated by a format layer), a
/// MIDI file or an automation file. <see cref="Offset"/> is in frames from the start of the block the event comes
/// with, where the instrument applies it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct InstrumentEvent
{
    public int Offset;
    public InstrumentEventKind Kind;
    public byte Channel;
    public short Key;
    /// <summary>Host note id, or −1.</summary>
    public int NoteId;
    /// <summary>0…1.</summary>
    public float Velocity;
    /// <summary>A <see cref="ParameterId"/> as hosts number it (unknown ids are ignored).</summary>
    public uint Parameter;
    public double Value;

    public static InstrumentEvent NoteOn(int offset, int key, float velocity, int channel = 0, int noteId = -1) =>
        new()
        {
            Offset = offset, Kind = InstrumentEventKind.NoteOn, Key = (short)key, Velocity = velocity,
            Channel = (byte)channel, NoteId = noteId,
        };

    public static InstrumentEvent NoteOff(int offset, int key, int channel = 0, int noteId = -1) =>
        new()
        {
            Offset = offset, Kind = InstrumentEventKind.NoteOff, Key = (short)key, Channel = (byte)channel,
            NoteId = noteId,
        };

    public static InstrumentEvent NoteChoke(int offset, int key, int channel = 0, int noteId = -1) =>
        NoteOff(offset, key, channel, noteId) with { Kind = InstrumentEventKind.NoteChoke };

    public static InstrumentEvent AllNotesOff(int offset, int channel = 0) =>
        new() { Offset = offset, Kind = InstrumentEventKind.AllNotesOff, Channel = (byte)channel, NoteId = -1 };

    public static InstrumentEvent ParameterValue(int offset, uint parameter, double plain) =>
        new()
        {
            Offset = offset, Kind = InstrumentEventKind.ParameterValue, Parameter = parameter, Value = plain,
            NoteId = -1,
        };

    /// <summary>The one MIDI 1.0 mapping, for hosts and MIDI files alike: note on/off (velocity 0 = off, velocity
    /// 0–127 → 0–1), CC1 → the mod wheel parameter, CC120/123 → all notes off. Returns false for messages the
    /// instrument ignores.</summary>
    public static bool FromMidi(int offset, byte status, byte data1, byte data2, out InstrumentEvent e)
    {
        e = default;
        int channel = status & 0x0F;
        switch (status & 0xF0)
        {
            case 0x90 when data2 > 0:
                e = NoteOn(offset, data1 & 0x7F, (data2 & 0x7F) / 127f, channel);
                return true;
            case 0x80:
            case 0x90:
                e = NoteOff(offset, data1 & 0x7F, channel);
                return true;
            case 0xB0 when data1 == 1:
                e = ParameterValue(offset, (uint)ParameterId.ModWheel, (data2 & 0x7F) / 127.0);
                return true;
            case 0xB0 when data1 is 120 or 123:
                e = AllNotesOff(offset, channel);
                return true;
            default:
                return false;
        }
    }
}
