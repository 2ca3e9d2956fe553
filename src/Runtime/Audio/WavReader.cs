using System.Buffers.Binary;
using NAudio.Wave;

namespace Distill.Runtime.Audio;

/// <summary>
/// RIFF/WAVE and RF64 files through NAudio: its reader finds the format (WAVE_FORMAT_EXTENSIBLE included)
/// and the data, skipping other chunks and pad bytes; its sample providers turn PCM 8/16/24/32-bit and IEEE float
/// 32/64-bit into floats. NAudio's exceptions become <see cref="AudioFormatException"/>s.
/// </summary>
public static class WavReader
{
    public static AudioClip Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream);
    }

    public static AudioClip Read(Stream stream)
    {
        WaveFileReader header;
        try
        {
            header = new WaveFileReader(stream);
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or EndOfStreamException
                                      or ArgumentException)
        {
            throw new AudioFormatException(HeaderProblem(stream, e));
        }
        using var reader = header;
        // WAVE_FORMAT_EXTENSIBLE with a PCM or float subformat reads as the plain format it stands for.
        var format = reader.WaveFormat.AsStandardWaveFormat();
        if (format.Channels <= 0) throw new AudioFormatException($"WAV declares {format.Channels} channels");
        if (format.SampleRate <= 0)
            throw new AudioFormatException($"WAV declares a sample rate of {(uint)format.SampleRate}");
        bool supported = format.Encoding switch
        {
            WaveFormatEncoding.Pcm => format.BitsPerSample is 8 or 16 or 24 or 32,
            WaveFormatEncoding.IeeeFloat => format.BitsPerSample is 32 or 64,
            _ => false,
        };
        if (!supported)
            throw new AudioFormatException(
                $"unsupported WAV encoding: {FormatName(format.Encoding)}, {format.BitsPerSample}-bit");
        int channels = format.Channels, bits = format.BitsPerSample, frameBytes = channels * bits / 8;
        if (format.BlockAlign != frameBytes)
            throw new AudioFormatException($"WAV block size {format.BlockAlign} is not {channels} × {bits} bits");
        return Decode(stream, reader, format, frameBytes);
    }

    /// <summary>
    /// NAudio reads a data chunk as far as the file goes, but says neither that it was cut short (flagged here, so
    /// the loader can warn) nor reads on past a size of 0, which streaming writers leave when they never go back to
    /// fill it in: both need the size the chunk declares, the four bytes before its first sample.
    /// </summary>
    static AudioClip Decode(Stream stream, WaveFileReader reader, WaveFormat format, int frameBytes)
    {
        reader.Position = 0; // puts the file at the first data byte
        long dataStart = stream.Position, available = stream.Length - dataStart;
        Span<byte> size = stackalloc byte[4];
        stream.Position = dataStart - 4;
        stream.ReadExactly(size);
        uint declared = BinaryPrimitives.ReadUInt32LittleEndian(size);
        bool truncated = declared is not (0 or 0xFFFFFFFF) && declared > available;
        long frames = (declared == 0 ? available : reader.Length) / frameBytes;
        if (frames * format.Channels > Array.MaxLength) throw new AudioFormatException("WAV is too large to load");
        var raw = new byte[frames * frameBytes];
        stream.ReadExactly(raw);
        var samples = new float[frames * format.Channels];
        var decoder = new RawSourceWaveStream(raw, 0, raw.Length, format).ToSampleProvider();
        for (int done = 0, got; done < samples.Length; done += got)
            if ((got = decoder.Read(samples.AsSpan(done))) == 0) throw new AudioFormatException("WAV data ends early");
        return new AudioClip(format.SampleRate, format.Channels, samples) { Truncated = truncated };
    }

    static string HeaderProblem(Stream stream, Exception e)
    {
        Span<byte> id = stackalloc byte[4];
        stream.Position = 0;
        if (stream.Read(id) == 4 && id.SequenceEqual("RIFX"u8)) return "big-endian RIFX WAV is not supported";
        return e is EndOfStreamException
            ? "the WAV header is cut short"
            : $"not a RIFF/WAVE file NAudio can read: {e.Message}";
    }

    static string FormatName(WaveFormatEncoding format) => format switch
    {
        WaveFormatEncoding.Adpcm => "Microsoft ADPCM (format 2)",
        WaveFormatEncoding.ALaw => "A-law (format 6)",
        WaveFormatEncoding.MuLaw => "µ-law (format 7)",
        WaveFormatEncoding.ImaAdpcm => "IMA ADPCM (format 0x11)",
        WaveFormatEncoding.MpegLayer3 => "MP3 in WAV (format 0x55)",
        WaveFormatEncoding.Pcm => "PCM",
        WaveFormatEncoding.IeeeFloat => "IEEE float",
        _ => $"format 0x{(ushort)format:X4}",
    };
}
