using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;

namespace Distill.Tests.Demo;

public class DemoCorpusTests
{
    [Fact]
    public void HasAtLeastTwelveDistinctTexturesRenderedDeterministically()
    {
        Assert.True(DemoCorpus.Textures.Count >= 12);
        foreach (var t in DemoCorpus.Textures)
        {
            var a = DemoCorpus.Render(t, 1, 1.5);
            Assert.Equal(a, DemoCorpus.Render(t, 1, 1.5));
            Assert.NotEqual(a, DemoCorpus.Render(t, 2, 1.5));
            Assert.All(a, v => Assert.True(float.IsFinite(v)));
            Assert.Equal(Math.Pow(10, -3.0 / 20), a.Max(Math.Abs), 3);
        }
    }

    /// <summary>Mean log-mel profile over time, plus how much the loudness moves: a texture's fingerprint.</summary>
    static double[] Fingerprint(float[] x)
    {
        var mel = new LogMelFeatures(new FeatureConfig()).LogMel(x, out int frames);
        var profile = new double[16];
        for (int t = 0; t < frames; t++)
            for (int m = 0; m < 128; m++) profile[m / 8] += mel[t * 128 + m] / (frames * 8.0);
        return profile;
    }

    [Fact]
    public void TexturesDifferInSpectrum()
    {
        var prints = DemoCorpus.Textures.ToDictionary(t => t, t => Fingerprint(DemoCorpus.Render(t, 1, 2.0)));
        foreach (var a in prints)
            foreach (var b in prints.Where(b => string.CompareOrdinal(a.Key, b.Key) < 0))
            {
                double distance = Math.Sqrt(a.Value.Zip(b.Value, (x, y) => (x - y) * (x - y)).Sum() / 16);
                Assert.True(distance > 0.5, $"{a.Key} and {b.Key} are too alike ({distance:F2} nats RMS over 16 bands)");
            }
    }

    [Fact]
    public void WritesValidWavsAndNeverIntoAForeignFolder()
    {
        string dir = ExternalTools.TempDir("demo");
        try
        {
            var files = DemoCorpus.Generate(Path.Combine(dir, "c"), secondsPerFile: 1.0);
            Assert.Equal(DemoCorpus.Textures.Count, files.Count);
            Assert.Contains("Sample Rate    : 48000", ExternalTools.Run("sox", "--i", files[0]));
            // Regenerating into its own corpus is fine; into a user's folder it is refused, untouched.
            DemoCorpus.Generate(Path.Combine(dir, "c"), secondsPerFile: 1.0);
            string user = Directory.CreateDirectory(Path.Combine(dir, "user")).FullName;
            File.WriteAllText(Path.Combine(user, "my-song.wav"), "precious");
            Assert.Throws<ArgumentException>(() => DemoCorpus.Generate(user));
            Assert.Equal(new[] { "my-song.wav" }, Directory.GetFiles(user).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }
}
