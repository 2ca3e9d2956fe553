using Distill.Runtime.Audio;

namespace Distill.Tests.Audio;

public sealed class AudioFileLoaderTests : IDisposable
{
    readonly string dir = ExternalTools.TempDir("loader");
    public void Dispose() => Directory.Delete(dir, true);
    string P(string name) => Path.Combine(dir, name);

    static float[] Tone(int n) => Enumerable.Range(0, n).Select(i => 0.5f * MathF.Sin(i * 0.05f)).ToArray();

    [Theory]
    [InlineData("flac")]
    [InlineData("ogg")]
    [InlineData("aiff")]
    public void CompressedAndOtherFormatsGoThroughLibsndfile(string ext)
    {
        Assert.True(SndFile.IsAvailable, "libsndfile1 must be installed (scripts/bootstrap.sh)");
        string wav = P("src.wav"), other = P("x." + ext);
        WavWriter.Write(wav, Tone(48000 * 2), 48000, WavSampleFormat.Pcm16);
        ExternalTools.Run("sox", wav, other);
        var a = AudioFileLoader.Load(wav);
        var b = AudioFileLoader.Load(other);
        Assert.True(b.Ok, b.SkipReason);
        Assert.Equal(48000, b.SampleRate);
        Assert.InRange(b.Mono.Length, a.Mono.Length - 2048, a.Mono.Length + 2048);
        if (ext != "ogg") // lossless: identical to the 16-bit source
            Assert.Equal(a.Mono, b.Mono);
        else
            Assert.InRange(Math.Sqrt(a.Mono.Zip(b.Mono, (x, y) => (x - y) * (x - y)).Average()), 0, 0.05);
    }

    [Fact]
    public void StereoIsMixedToMono()
    {
        WavWriter.Write(P("st.wav"), Enumerable.Range(0, 96000).Select(i => i % 2 == 0 ? 0.2f : 0.4f).ToArray(), 2, 48000, WavSampleFormat.Float32);
        var r = AudioFileLoader.Load(P("st.wav"), minSeconds: 0);
        Assert.Equal(2, r.Channels);
        Assert.Equal(0.3f, r.Mono[0], 6);
    }

    [Fact]
    public void EveryUnusableFileIsSkippedWithItsReason()
    {
        File.WriteAllBytes(P("empty.wav"), Array.Empty<byte>());
        File.WriteAllText(P("text.wav"), "just text");
        File.WriteAllBytes(P("random.flac"), Enumerable.Range(0, 500).Select(i => (byte)(i * 37)).ToArray());
        File.WriteAllText(P("readme.txt"), "hello");
        WavWriter.Write(P("silent.wav"), new float[48000 * 2], 48000, WavSampleFormat.Pcm16);
        WavWriter.Write(P("short.wav"), Tone(20000), 48000, WavSampleFormat.Pcm16);
        var nan = Tone(96000); nan[500] = float.NaN;
        File.WriteAllBytes(P("nan.wav"), RawWav.Float(nan, 1, 48000)); // WavWriter would write the NaN as silence

        var expectations = new Dictionary<string, string>
        {
            ["empty.wav"] = "empty file", ["text.wav"] = "not a RIFF/WAVE", ["random.flac"] = "corrupt",
            ["readme.txt"] = "not an audio file", ["silent.wav"] = "silent", ["short.wav"] = "too short",
            ["nan.wav"] = "NaN",
        };
        foreach (var (file, reason) in expectations)
        {
            var r = AudioFileLoader.Load(P(file));
            Assert.False(r.Ok, file);
            Assert.Contains(reason, r.SkipReason);
        }
    }

    [Fact]
    public void UnreadableFileIsSkippedNotThrown()
    {
        var r = AudioFileLoader.Load(P("does-not-exist.wav"));
        Assert.False(r.Ok);
        Assert.Contains("unreadable", r.SkipReason);
    }

    [Theory]
    [InlineData(1e19f)]
    [InlineData(1e30f)]
    [InlineData(float.MaxValue)]
    public void SamplesFarBeyondFullScaleAreSkippedWithTheReason(float amplitude)
    {
        File.WriteAllBytes(P("loud.wav"), RawWav.Float(Tone(96000).Select(v => v * amplitude).ToArray(), 1, 48000));
        var r = AudioFileLoader.Load(P("loud.wav"));
        Assert.False(r.Ok);
        Assert.Contains("far beyond full scale", r.SkipReason);
    }

    [Fact]
    public void MessagesSayWhatIsReallyWrong()
    {
        File.WriteAllBytes(P("rate.wav"), RawWav.Float(Tone(96000), 1, uint.MaxValue));
        Assert.Equal("corrupt or unsupported: WAV declares a sample rate of 4294967295", AudioFileLoader.Load(P("rate.wav")).SkipReason);
        File.WriteAllBytes(P("slow.wav"), RawWav.Float(Tone(96000), 1, 7));
        Assert.Contains("sample rate 7 Hz is outside the supported 1000–768000 Hz", AudioFileLoader.Load(P("slow.wav")).SkipReason);

        // A valid WAV whose name is Latin-1, not UTF-8: .NET cannot name it, so it cannot be opened.
        WavWriter.Write(P("ok.wav"), Tone(96000), 48000);
        ExternalTools.Run("sh", "-c", $"cp '{P("ok.wav")}' \"$(printf '{dir}/caf\\351.wav')\"");
        string latin1 = Directory.GetFiles(dir).Single(f => f.Contains('\uFFFD'));
        Assert.Contains("its name is not valid UTF-8", AudioFileLoader.Load(latin1).SkipReason);
        ExternalTools.Run("sh", "-c", $"rm \"$(printf '{dir}/caf\\351.wav')\""); // .NET cannot name it to delete it either

        Assert.True(SndFile.IsAvailable, "libsndfile1 must be installed (scripts/bootstrap.sh)");
        File.WriteAllBytes(P("bad.mp3"), Enumerable.Range(0, 20000).Select(i => (byte)(i * 7919 >> 3)).ToArray());
        Assert.Equal("corrupt or unsupported: not a valid MP3 file (libsndfile cannot decode it)", AudioFileLoader.Load(P("bad.mp3")).SkipReason);
    }
}
