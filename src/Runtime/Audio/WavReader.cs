using System.Buffers.Binary;
using System.Text;

namespace Distill.Runtime.Audio;

/// <summary>
/// RIFF/WAVE and RF64 reader: PCM 8 (unsigned), 16, 24 and 32-bit, IEEE float 32/64, and
/// WAVE_FORMAT_EXTENSIBLE with either subformat; any channel count. Unknown chunks (LIST, fact,
/// cue, bext…) are skipped honouring the RIFF pad byte; a data chunk that runs past the end of
/// the file (or declares 0/0xFFFFFFFF, as streaming writers do) is read as far as it goes and the
/// clip is marked truncated.
/// </summary>
public static class WavReader
{
    const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    public static AudioClip Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream);
    }

    public static AudioClip Read(Stream stream)
    {
        var r = new BinaryReader(stream, Encoding.ASCII, leaveOpen: true);
        string riff = ReadId(r);
        if (riff != "RIFF" && riff != "RF64") throw new AudioFormatException(riff == "RIFX" ? "big-endian RIFX WAV is not supported" : "not a RIFF/WAVE file");
        r.ReadUInt32();
        if (ReadId(r) != "WAVE") throw new AudioFormatException("not a RIFF/WAVE file (no WAVE tag)");

        ushort format = 0, channels = 0, bits = 0, blockAlign = 0;
        uint rate = 0;
        long rf64DataSize = -1;
        while (true)
        {
            if (stream.Length - stream.Position < 8)
                throw new AudioFormatException(format == 0 ? "WAV has no fmt chunk" : "WAV has no data chunk");
            string id = ReadId(r);
            long size = r.ReadUInt32();
            long bodyStart = stream.Position;
            switch (id)
            {
                case "ds64":
                    r.ReadUInt64(); // RIFF size
                    rf64DataSize = (long)r.ReadUInt64();
                    break;
                case "fmt ":
                    if (size < 16) throw new AudioFormatException("WAV fmt chunk too short");
                    format = r.ReadUInt16(); channels = r.ReadUInt16(); rate = r.ReadUInt32();
                    r.ReadUInt32(); blockAlign = r.ReadUInt16(); bits = r.ReadUInt16();
                    if (format == FormatExtensible && size >= 40)
                    {
                        r.ReadUInt16(); r.ReadUInt16(); r.ReadUInt32(); // cbSize, valid bits, channel mask
                        format = r.ReadUInt16(); // first two bytes of the subformat GUID carry the format tag
                    }
                    break;
                case "data":
                    if (format == 0) throw new AudioFormatException("WAV data chunk comes before its fmt chunk");
                    if (size == 0xFFFFFFFF && rf64DataSize >= 0) size = rf64DataSize;
                    return Decode(r, stream, size, format, channels, rate, bits, blockAlign);
            }
            long next = bodyStart + size + (size & 1); // chunks are word-aligned: skip the pad byte
            if (next > stream.Length) throw new AudioFormatException($"WAV chunk '{Printable(id)}' runs past the end of the file and there is no data chunk");
            stream.Position = next;
        }
    }

    static AudioClip Decode(BinaryReader r, Stream stream, long declared, ushort format, ushort channels, uint rate, ushort bits, ushort blockAlign)
    {
        if (channels == 0) throw new AudioFormatException("WAV declares 0 channels");
        if (rate is 0 or > int.MaxValue) throw new AudioFormatException($"WAV declares a sample rate of {rate}");
        int bytesPerSample = (bits + 7) / 8;
        bool supported = format switch
        {
            FormatPcm => bits is 8 or 16 or 24 or 32,
            FormatFloat => bits is 32 or 64,
            _ => false,
        };
        if (!supported) throw new AudioFormatException($"unsupported WAV encoding: {FormatName(format)}, {bits}-bit");
        int frameBytes = Math.Max(blockAlign, bytesPerSample * channels);
        long available = stream.Length - stream.Position;
        bool streamed = declared is 0 or 0xFFFFFFFF; // writers that never went back to fill in the size
        bool truncated = !streamed && declared > available;
        long bytes = streamed || truncated ? available : declared;
        long frames = bytes / frameBytes;
        if (frames * channels > Array.MaxLength) throw new AudioFormatException("WAV is too large to load");
        var raw = r.ReadBytes((int)(frames * frameBytes));
        var samples = new float[frames * channels];
        for (long f = 0; f < frames; f++)
            for (int c = 0; c < channels; c++)
                samples[f * channels + c] = SampleAt(raw.AsSpan((int)(f * frameBytes + c * bytesPerSample), bytesPerSample), format, bits);
        return new AudioClip((int)rate, channels, samples) { Truncated = truncated };
    }

    static float SampleAt(ReadOnlySpan<byte> b, ushort format, ushort bits) => (format, bits) switch
    {
        (FormatPcm, 8) => (b[0] - 128) / 128f,
        (FormatPcm, 16) => BinaryPrimitives.ReadInt16LittleEndian(b) / 32768f,
        (FormatPcm, 24) => ((b[0] | (b[1] << 8) | (b[2] << 16)) << 8 >> 8) / 8388608f,
        (FormatPcm, 32) => (float)(BinaryPrimitives.ReadInt32LittleEndian(b) / 2147483648.0),
        (FormatFloat, 32) => BinaryPrimitives.ReadSingleLittleEndian(b),
        _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
    };

    static string FormatName(ushort format) => format switch
    {
        2 => "Microsoft ADPCM (format 2)",
        6 => "A-law (format 6)",
        7 => "µ-law (format 7)",
        0x11 => "IMA ADPCM (format 0x11)",
        0x55 => "MP3 in WAV (format 0x55)",
        FormatPcm => "PCM",
        FormatFloat => "IEEE float",
        _ => $"format 0x{format:X4}",
    };

    static string ReadId(BinaryReader r)
    {
        var b = r.ReadBytes(4);
        if (b.Length < 4) throw new AudioFormatException("not a RIFF/WAVE file (too short)");
        return Encoding.ASCII.GetString(b);
    }

    static string Printable(string id) => new(id.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
