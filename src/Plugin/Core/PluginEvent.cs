using System.Runtime.InteropServices;

namespace Distill.Plugin;

public enum PluginEventKind : byte
{
    NoteOn,
    NoteOff,
    /// <summary>Stop a note at once, without release.</summary>
    NoteChoke,
    /// <summary>Parameter <see cref="PluginEvent.Parameter"/> takes the plain value <see cref="PluginEvent.Value"/>.</summary>
    ParameterValue,
    AllNotesOff,
}

/// <summary>One timed event of a block, translated by a format layer from CLAP or VST3 events (or raw MIDI
/// 1.0 bytes, see <see cref="FromMidi"/>). Offsets are frames into the block; a block's events are in
/// ascending offset order.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PluginEvent
{
    public int Offset;
    public PluginEventKind Kind;
    public byte Channel;
    public short Key;
    /// <summary>Host note id, or −1.</summary>
    public int NoteId;
    /// <summary>0…1.</summary>
    public float Velocity;
    public uint Parameter;
    public double Value;

    public static PluginEvent NoteOn(int offset, int key, float velocity, int channel = 0, int noteId = -1) =>
        new() { Offset = offset, Kind = PluginEventKind.NoteOn, Key = (short)key, Velocity = velocity, Channel = (byte)channel, NoteId = noteId };

    public static PluginEvent NoteOff(int offset, int key, int channel = 0, int noteId = -1) =>
        new() { Offset = offset, Kind = PluginEventKind.NoteOff, Key = (short)key, Channel = (byte)channel, NoteId = noteId };

    public static PluginEvent ParameterValue(int offset, uint parameter, double plain) =>
        new() { Offset = offset, Kind = PluginEventKind.ParameterValue, Parameter = parameter, Value = plain, NoteId = -1 };

    /// <summary>MIDI 1.0 channel message → event: note on/off (velocity 0 = off), CC1 → the mod wheel
    /// parameter, CC120/123 → all notes off. Returns false for messages the instrument ignores.</summary>
    public static bool FromMidi(int offset, byte status, byte data1, byte data2, out PluginEvent e)
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
                e = ParameterValue(offset, (uint)Runtime.Engine.ParameterId.ModWheel, (data2 & 0x7F) / 127.0);
                return true;
            case 0xB0 when data1 is 120 or 123:
                e = new PluginEvent { Offset = offset, Kind = PluginEventKind.AllNotesOff, Channel = (byte)channel, NoteId = -1 };
                return true;
            default:
                return false;
        }
    }
}
