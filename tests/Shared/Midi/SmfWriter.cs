using System.Buffers.Binary;

namespace Distill.Tests.Midi;

/// <summary>A minimal Standard MIDI File writer for the tests, written from the specification independently of
/// the reader: chunks, big-endian header fields, variable-length delta times, End of Track appended.</summary>
static class SmfWriter
{
    public static byte[] Vlq(long value)
    {
        var groups = new List<byte> { (byte)(value & 0x7F) };
        for (value >>= 7; value > 0; value >>= 7) groups.Insert(0, (byte)(0x80 | (value & 0x7F)));
        return groups.ToArray();
    }

    public static byte[] File(int format, int division, params byte[][] tracks) =>
        [.. Header(format, tracks.Length, division), .. tracks.SelectMany(t => Chunk("MTrk", t))];

    public static byte[] Header(int format, int trackCount, int division)
    {
        var header = new byte[14];
        "MThd"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 6);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), (ushort)format);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), (ushort)trackCount);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(12), (ushort)division);
        return header;
    }

    public static byte[] Chunk(string id, byte[] body)
    {
        var head = new byte[8];
        System.Text.Encoding.ASCII.GetBytes(id).CopyTo(head, 0);
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(4), (uint)body.Length);
        return [.. head, .. body];
    }

    /// <summary>A track body from (delta ticks, message bytes) pairs, ended by End of Track.</summary>
    public static byte[] Track(params (long Delta, byte[] Message)[] events) =>
        [.. events.SelectMany(e => Vlq(e.Delta).Concat(e.Message)), 0x00, 0xFF, 0x2F, 0x00];

    public static byte[] Tempo(int microsPerQuarter) => [0xFF, 0x51, 0x03, (byte)(microsPerQuarter >> 16), (byte)(microsPerQuarter >> 8), (byte)microsPerQuarter];
    public static byte[] On(int channel, int note, int velocity) => [(byte)(0x90 | channel), (byte)note, (byte)velocity];
    public static byte[] Off(int channel, int note, int velocity = 64) => [(byte)(0x80 | channel), (byte)note, (byte)velocity];
    public static byte[] Cc(int channel, int controller, int value) => [(byte)(0xB0 | channel), (byte)controller, (byte)value];
}
