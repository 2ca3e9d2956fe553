using System.Buffers.Binary;

namespace Distill.Runtime.Audio;

public enum WavSampleFormat { Pcm16, Pcm24, Float32 }

/// <summary>WAV writer (PCM 16/24 with saturation, or float 32), written to a temporary file in the
/// same folder and renamed, so a reader never sees half a file.</summary>
public static class WavWriter
{
    public static void Write(string path, ReadOnlySpan<float> mono, int sampleRate, WavSampleFormat format = WavSampleFormat.Pcm16) =>
        Write(path, mono, 1, sampleRate, format);

    public static void Write(string path, AudioClip clip, WavSampleFormat format = WavSampleFormat.Pcm16) =>
        Write(path, clip.Interleaved, clip.Channels, clip.SampleRate, format);

    public static void Write(string path, ReadOnlySpan<float> interleaved, int channels, int sampleRate, WavSampleFormat format)
    {
        int bytesPerSample = format == WavSampleFormat.Pcm16 ? 2 : format == WavSampleFormat.Pcm24 ? 3 : 4;
        long dataBytes = (long)interleaved.Length * bytesPerSample;
        if (dataBytes > uint.MaxValue - 44) throw new ArgumentException("audio too long for a WAV file");
        var bytes = new byte[44 + dataBytes + (dataBytes & 1)];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(bytes.Length - 8));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], (ushort)(format == WavSampleFormat.Float32 ? 3 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], (uint)(sampleRate * channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)(channels * bytesPerSample));
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], (ushort)(bytesPerSample * 8));
        "data"u8.CopyTo(s[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], (uint)dataBytes);
        var data = s[44..];
        for (int i = 0; i < interleaved.Length; i++)
        {
            float v = float.IsNaN(interleaved[i]) ? 0 : interleaved[i];
            switch (format)
            {
                case WavSampleFormat.Pcm16:
                    BinaryPrimitives.WriteInt16LittleEndian(data[(2 * i)..], (short)Math.Clamp(MathF.Round(v * 32768f), -32768, 32767));
                    break;
                case WavSampleFormat.Pcm24:
                    int q = (int)Math.Clamp(MathF.Round(v * 8388608f), -8388608, 8388607);
                    data[3 * i] = (byte)q; data[3 * i + 1] = (byte)(q >> 8); data[3 * i + 2] = (byte)(q >> 16);
                    break;
                default:
                    BinaryPrimitives.WriteSingleLittleEndian(data[(4 * i)..], v);
                    break;
            }
        }
        string tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }
}
