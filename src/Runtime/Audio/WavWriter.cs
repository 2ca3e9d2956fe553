using System.Buffers.Binary;
using NAudio.Wave;

namespace Distill.Runtime.Audio;

public enum WavSampleFormat { Pcm16, Pcm24, Float32 }

/// <summary>WAV writer (PCM 16/24 with saturation, or float 32) for audio already in memory; see
/// <see cref="WavFileWriter"/> for audio written as it is made.</summary>
public static class WavWriter
{
    public static void Write(string path, ReadOnlySpan<float> mono, int sampleRate,
                             WavSampleFormat format = WavSampleFormat.Pcm16) =>
        Write(path, mono, 1, sampleRate, format);

    public static void Write(string path, AudioClip clip, WavSampleFormat format = WavSampleFormat.Pcm16) =>
        Write(path, clip.Interleaved, clip.Channels, clip.SampleRate, format);

    public static void Write(string path, ReadOnlySpan<float> interleaved, int channels, int sampleRate,
                             WavSampleFormat format)
    {
        if (interleaved.Length / channels > WavFileWriter.MaxFrames(channels, format))
            throw new ArgumentException("audio too long for a WAV file");
        using var file = new WavFileWriter(path, channels, sampleRate, format);
        file.Write(interleaved);
        file.Complete();
    }
}

/// <summary>
/// A WAV file written block by block in constant memory through NAudio's writer, which fills in the header's sizes
/// when completed. Kept here: the sample encoding (NAudio's scales by 32767 and truncates; this rounds, scales by
/// 2^15 or 2^23, saturates, and writes NaN as silence, so renders keep their exact bytes), the size limit (NAudio
/// checks the data alone, so a RIFF size past 4 GiB would wrap) and the atomic finish: the audio goes to a temporary
/// file in the same folder that is renamed over the target only when complete, so a reader never sees half a file;
/// disposing without completing deletes it.
/// </summary>
public sealed class WavFileWriter : IDisposable
{
    readonly string path, temp;
    readonly FileStream file;
    readonly WaveFileWriter wav;
    readonly WavSampleFormat format;
    readonly int channels, bytesPerSample;
    readonly byte[] buffer = new byte[1 << 16];
    long dataBytes;
    bool completed;

    /// <summary>The most frames a WAV (32-bit sizes) of this layout can hold.</summary>
    public static long MaxFrames(int channels, WavSampleFormat format) =>
        (uint.MaxValue - HeaderBytes(format) - 1L) / (channels * BytesPerSample(format));

    /// <summary>RIFF, WAVE, the 16-byte fmt chunk, the data chunk's id and size, and for float the fact chunk NAudio
    /// writes before the data.</summary>
    static int HeaderBytes(WavSampleFormat format) => format == WavSampleFormat.Float32 ? 56 : 44;

    static int BytesPerSample(WavSampleFormat format) =>
        format == WavSampleFormat.Pcm16 ? 2 : format == WavSampleFormat.Pcm24 ? 3 : 4;

    public WavFileWriter(string path, int channels, int sampleRate, WavSampleFormat format)
    {
        this.path = path; this.channels = channels; this.format = format;
        bytesPerSample = BytesPerSample(format);
        temp = path + ".tmp";
        var waveFormat = format == WavSampleFormat.Float32
            ? WaveFormat.CreateIeeeFloatWaveFormat(sampleRate, channels)
            : new WaveFormat(sampleRate, bytesPerSample * 8, channels);
        file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        wav = new WaveFileWriter(file, waveFormat);
    }

    /// <summary>Appends interleaved samples (NaN is written as silence).</summary>
    public void Write(ReadOnlySpan<float> interleaved)
    {
        if ((dataBytes + (long)interleaved.Length * bytesPerSample) / (channels * bytesPerSample)
            > MaxFrames(channels, format))
            throw new InvalidOperationException("audio too long for a WAV file");
        int perBuffer = buffer.Length / bytesPerSample;
        for (int start = 0; start < interleaved.Length; start += perBuffer)
        {
            var block = interleaved.Slice(start, Math.Min(perBuffer, interleaved.Length - start));
            for (int i = 0; i < block.Length; i++) Encode(block[i], buffer.AsSpan(i * bytesPerSample));
            wav.Write(buffer, 0, block.Length * bytesPerSample);
        }
        dataBytes += (long)interleaved.Length * bytesPerSample;
    }

    void Encode(float sample, Span<byte> to)
    {
        float v = float.IsNaN(sample) ? 0 : sample;
        switch (format)
        {
            case WavSampleFormat.Pcm16:
                BinaryPrimitives.WriteInt16LittleEndian(to, (short)Math.Clamp(MathF.Round(v * 32768f), -32768, 32767));
                break;
            case WavSampleFormat.Pcm24:
                int q = (int)Math.Clamp(MathF.Round(v * 8388608f), -8388608, 8388607);
                to[0] = (byte)q; to[1] = (byte)(q >> 8); to[2] = (byte)(q >> 16);
                break;
            default:
                BinaryPrimitives.WriteSingleLittleEndian(to, v);
                break;
        }
    }

    /// <summary>Pads the data to an even length, writes the sizes into the header, flushes and renames the file
    /// into place.</summary>
    public void Complete()
    {
        wav.Dispose();
        file.Dispose();
        File.Move(temp, path, overwrite: true);
        completed = true;
    }

    public void Dispose()
    {
        if (completed) return;
        wav.Dispose();
        file.Dispose();
        File.Delete(temp);
    }
}
