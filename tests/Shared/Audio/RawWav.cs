using System.Buffers.Binary;

namespace Distill.Tests.Audio;

/// <summary>IEEE-float WAV bytes written as given, NaN, infinities and any declared rate included (the project's
/// writer sanitises NaN, and its rate is an int).</summary>
static class RawWav
{
    public static byte[] Float(float[] interleaved, int channels, uint rate, bool doublePrecision = false)
    {
        int size = doublePrecision ? 8 : 4, data = interleaved.Length * size;
        var bytes = new byte[44 + data];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(36 + data));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], rate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], unchecked(rate * (uint)(channels * size)));
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)(channels * size));
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], (ushort)(8 * size));
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], (uint)data);
        for (int i = 0; i < interleaved.Length; i++)
        {
            if (doublePrecision) BinaryPrimitives.WriteDoubleLittleEndian(s[(44 + 8 * i)..], interleaved[i]);
            else BinaryPrimitives.WriteSingleLittleEndian(s[(44 + 4 * i)..], interleaved[i]);
        }
        return bytes;
    }
}
