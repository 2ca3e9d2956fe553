using System.Text;
using Distill.Runtime.Audio;
using NAudio.Wave;

namespace Distill.Tests.Audio;

public sealed class WavReaderTests : IDisposable
{
    readonly string dir = ExternalTools.TempDir("wav");
    public void Dispose() => Directory.Delete(dir, true);

    string P(string name) => Path.Combine(dir, name);

    /// <summary>sox's own float decoding of a file, as the independent expectation.</summary>
    float[] SoxSamples(string path)
    {
        string raw = P(Guid.NewGuid() + ".f32");
        ExternalTools.Run("sox", path, "-t", "f32", "-e", "floating-point", "-b", "32", "-L", raw);
        var bytes = File.ReadAllBytes(raw);
        var samples = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, samples, 0, bytes.Length);
        return samples;
    }

    [Theory]
    [InlineData("-e unsigned -b 8", 1, 1.0 / 128)]
    [InlineData("-e signed -b 16", 1, 1.0 / 32768)]
    [InlineData("-e signed -b 24", 2, 1.0 / 8388608)]
    [InlineData("-e signed -b 32", 2, 1e-7)]
    [InlineData("-e floating-point -b 32", 3, 1e-7)]
    [InlineData("-e floating-point -b 64", 6, 1e-7)]
    [InlineData("-e signed -b 16", 6, 1.0 / 32768)] // > 2 channels: sox writes WAVE_FORMAT_EXTENSIBLE
    public void ReadsEveryEncodingLikeSox(string encoding, int channels, double tolerance)
    {
        string path = P($"x{channels}{encoding.Replace(' ', '_')}.wav");
        // -D: no dither, which at 8 bits would move samples by up to a step more than the closed form allows.
        string[] generate = ["-D", "-n", "-r", "44100", "-c", channels.ToString(), .. encoding.Split(' '),
                             path, "synth", "0.5", "sine", "997", "vol", "0.7"];
        ExternalTools.Run("sox", generate);
        var clip = WavReader.Read(path);
        Assert.Equal(44100, clip.SampleRate);
        Assert.Equal(channels, clip.Channels);
        Assert.Equal(22050, clip.Frames);
        var expected = SoxSamples(path);
        Assert.Equal(expected.Length, clip.Interleaved.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - clip.Interleaved[i]) <= tolerance, $"sample {i}: {clip.Interleaved[i]} vs sox {expected[i]}");
        // And against the closed form: a 997 Hz sine of amplitude 0.7.
        Assert.Equal(0.7 * Math.Sin(2 * Math.PI * 997 * 100 / 44100.0), clip.Interleaved[100 * channels], 0.01);
    }

    static byte[] Chunk(string id, byte[] body)
    {
        var b = new List<byte>(Encoding.ASCII.GetBytes(id));
        b.AddRange(BitConverter.GetBytes(body.Length));
        b.AddRange(body);
        if (body.Length % 2 == 1) b.Add(0); // RIFF pad byte
        return b.ToArray();
    }

    static byte[] Fmt(ushort format, ushort channels, int rate, ushort bits)
    {
        var b = new List<byte>();
        b.AddRange(BitConverter.GetBytes(format)); b.AddRange(BitConverter.GetBytes(channels));
        b.AddRange(BitConverter.GetBytes(rate)); b.AddRange(BitConverter.GetBytes(rate * channels * bits / 8));
        b.AddRange(BitConverter.GetBytes((ushort)(channels * bits / 8))); b.AddRange(BitConverter.GetBytes(bits));
        return b.ToArray();
    }

    static byte[] Riff(params byte[][] chunks)
    {
        var body = chunks.SelectMany(c => c).ToArray();
        return Encoding.ASCII.GetBytes("RIFF").Concat(BitConverter.GetBytes(body.Length + 4)).Concat(Encoding.ASCII.GetBytes("WAVE")).Concat(body).ToArray();
    }

    static byte[] Pcm16(params short[] samples) => samples.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void SkipsListFactAndOddSizedChunksHonouringThePadByte()
    {
        File.WriteAllBytes(P("odd.wav"), Riff(
            Chunk("LIST", Encoding.ASCII.GetBytes("INFOISFT\u0003\0\0\0ab\0")),
            Chunk("junk", new byte[] { 1, 2, 3 }),                      // odd size → pad byte follows
            Chunk("fmt ", Fmt(1, 1, 8000, 16)),
            Chunk("fact", BitConverter.GetBytes(3)),
            Chunk("data", Pcm16(16384, -16384, 32767))));
        var clip = WavReader.Read(P("odd.wav"));
        Assert.Equal(new[] { 0.5f, -0.5f, 32767 / 32768f }, clip.Interleaved);
        Assert.False(clip.Truncated);
    }

    [Fact]
    public void TruncatedDataIsReadAsFarAsItGoesAndFlagged()
    {
        var bytes = Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Pcm16(1000, 2000, 3000, 4000)));
        File.WriteAllBytes(P("cut.wav"), bytes[..^3]); // cut mid-sample
        var clip = WavReader.Read(P("cut.wav"));
        Assert.True(clip.Truncated);
        Assert.Equal(2, clip.Frames);
        using var naudio = new WaveFileReader(P("cut.wav"));
        Assert.Equal(5, naudio.Length); // NAudio reads what is there without saying that the file was cut
    }

    [Fact]
    public void DataLeftAtSizeZeroByAStreamingWriterIsReadToTheEnd()
    {
        var bytes = Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)), Chunk("data", Pcm16(1000, 2000, 3000)));
        bytes.AsSpan(bytes.Length - 6 - 4, 4).Clear(); // the data size, before the 3 samples
        File.WriteAllBytes(P("streamed.wav"), bytes);
        var clip = WavReader.Read(P("streamed.wav"));
        Assert.Equal(new[] { 1000 / 32768f, 2000 / 32768f, 3000 / 32768f }, clip.Interleaved);
        Assert.False(clip.Truncated);
        using var naudio = new WaveFileReader(P("streamed.wav"));
        Assert.Equal(0, naudio.Length); // NAudio takes the size at its word: no audio
    }

    [Theory]
    [InlineData("garbage", "not a RIFF/WAVE file")]
    [InlineData("nodata", "No data chunk")]
    [InlineData("alaw", "A-law")]
    [InlineData("nofmt", "No fmt chunk")]
    public void BadFilesGiveAReasonAPersonCanRead(string kind, string reason)
    {
        byte[] bytes = kind switch
        {
            "garbage" => Encoding.ASCII.GetBytes("hello, I am not a wave file at all"),
            "nodata" => Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16))),
            "alaw" => Riff(Chunk("fmt ", Fmt(6, 1, 8000, 8)), Chunk("data", new byte[] { 1, 2 })),
            _ => Riff(Chunk("data", Pcm16(1, 2))),
        };
        File.WriteAllBytes(P(kind + ".wav"), bytes);
        var e = Assert.Throws<AudioFormatException>(() => WavReader.Read(P(kind + ".wav")));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void MutatedFilesAreReadOrRejectedNeverCrashOrHang()
    {
        byte[] sample = Riff(Chunk("LIST", Encoding.ASCII.GetBytes("INFOISFT\u0003\0\0\0ab\0")),
                             Chunk("fmt ", Fmt(1, 2, 8000, 16)), Chunk("data", Pcm16(1, -2, 3, -4, 5, -6)));
        var random = new Random(5150);
        int read = 0, rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] file = sample.ToArray();
            for (int f = 1 + random.Next(3); f > 0; f--) file[random.Next(file.Length)] = (byte)random.Next(256);
            if (i % 2 == 0) file = file[..random.Next(file.Length + 1)];
            bool ok = HangGuard.Run($"case {i}", () =>
            {
                try
                {
                    var clip = WavReader.Read(new MemoryStream(file));
                    Assert.Equal(0, clip.Interleaved.Length % clip.Channels);
                    return true;
                }
                catch (AudioFormatException e)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                    return false;
                }
            });
            if (ok) read++; else rejected++;
        }
        Assert.True(read >= 100 && rejected >= 100, $"{read} read, {rejected} rejected: both must be exercised");
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm16, "16-bit Signed Integer PCM", 1.0 / 32768)]
    [InlineData(WavSampleFormat.Pcm24, "24-bit Signed Integer PCM", 1.0 / 8388608)]
    [InlineData(WavSampleFormat.Float32, "32-bit Floating Point PCM", 0)]
    public void WriterRoundTripsAndSoxAgrees(WavSampleFormat format, string soxEncoding, double tolerance)
    {
        var x = Enumerable.Range(0, 4800).Select(i => (float)(0.8 * Math.Sin(i * 0.01))).ToArray();
        string path = P($"w-{format}.wav");
        WavWriter.Write(path, x, 48000, format);
        Assert.Contains(soxEncoding, ExternalTools.Run("sox", "--i", path));
        var back = WavReader.Read(path).Interleaved;
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(back[i] - x[i]) <= tolerance, $"sample {i}");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void WriterRoundsToTheNearestStepWhereNAudiosWriteSampleTruncates()
    {
        float[] x = [0.5f, -1f, 0.25f + 0.75f / 32768];
        WavWriter.Write(P("ours.wav"), x, 48000, WavSampleFormat.Pcm16);
        using (var naudio = new WaveFileWriter(P("naudio.wav"), new WaveFormat(48000, 16, 1)))
            naudio.WriteSamples(x, 0, x.Length);
        short[] Samples(string name) =>
            [.. File.ReadAllBytes(P(name)).Skip(44).Chunk(2).Select(b => BitConverter.ToInt16(b))];
        Assert.Equal(new short[] { 16384, -32768, 8193 }, Samples("ours.wav")); // round(x · 2^15): sox reads 0.5, −1
        Assert.Equal(new short[] { 16383, -32767, 8192 }, Samples("naudio.wav")); // trunc(x · 32767)
    }

    [Fact]
    public void WriterLimitCountsTheHeaderWhereNAudioChecksTheDataAlone()
    {
        long most = WavFileWriter.MaxFrames(2, WavSampleFormat.Pcm24) * 6;
        Assert.True(44 - 8 + most <= uint.MaxValue); // the RIFF size of the longest render still fits in 32 bits
        var sink = new HeaderOnlyStream();
        using (var naudio = new WaveFileWriter(sink, new WaveFormat(48000, 24, 2)))
        {
            var block = new byte[6 << 20];
            for (long left = uint.MaxValue - 3; left > 0; left -= block.Length) // whole frames, accepted by NAudio
                naudio.Write(block, 0, (int)Math.Min(block.Length, left));
        }
        Assert.Equal(32u, BitConverter.ToUInt32(sink.Header, 4)); // 44 − 8 + 2^32 − 4 wrapped: a "40-byte" file
    }

    /// <summary>Keeps the first 44 bytes written (a WAV header) and only counts the rest: 4 GiB cost nothing.</summary>
    sealed class HeaderOnlyStream : Stream
    {
        public byte[] Header { get; } = new byte[44];
        long length;

        public override bool CanRead => false;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => length;
        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> bytes)
        {
            for (int i = 0; i < bytes.Length && Position + i < Header.Length; i++) Header[Position + i] = bytes[i];
            Position += bytes.Length;
            length = Math.Max(length, Position);
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
