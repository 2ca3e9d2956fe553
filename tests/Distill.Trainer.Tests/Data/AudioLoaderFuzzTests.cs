using Distill.Runtime.Audio;
using Distill.Runtime.Dsp;
using Distill.Tests.Audio;
using Distill.Trainer.Data;
using Xunit.Abstractions;

namespace Distill.Tests.Data;

/// <summary>
/// Seeded random float WAVs — ordinary, huge, denormal, NaN- and infinity-laced, at odd declared rates and channel
/// counts — through the loader and the corpus: each file is skipped with a reason or becomes a clip whose samples
/// and features are all finite. Nothing throws.
/// </summary>
public class AudioLoaderFuzzTests(ITestOutputHelper output)
{
    static readonly string[] Kinds = ["ordinary", "huge", "loud but sane", "denormal", "NaN-laced", "infinity-laced", "spiky", "silent"];

    static float[] Samples(Random random, string kind, int count)
    {
        var s = new float[count];
        float scale = kind switch
        {
            "huge" => (float)Math.Pow(10, random.Next(4, 39)),
            "loud but sane" => 900f,
            "denormal" => 1e-40f,
            "silent" => 0f,
            _ => 1f,
        };
        for (int i = 0; i < count; i++) s[i] = scale * (float)(random.NextDouble() * 2 - 1);
        int spikes = kind switch { "NaN-laced" or "infinity-laced" or "spiky" => 1 + random.Next(20), _ => 0 };
        for (int k = 0; k < spikes && count > 0; k++)
            s[random.Next(count)] = kind switch
            {
                "NaN-laced" => float.NaN,
                "infinity-laced" => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
                _ => random.Next(2) == 0 ? float.MaxValue : -1e25f,
            };
        return s;
    }

    [Fact]
    public void EveryRandomFloatWavIsSkippedWithAReasonOrGivesFiniteFeatures()
    {
        string dir = ExternalTools.TempDir("loader-fuzz");
        var random = new Random(1219);
        uint[] rates = [48000, 48000, 44100, 44100, 22050, 8000, 96000, 0, 7, uint.MaxValue, 2_000_000];
        var kinds = new Dictionary<string, string>();
        const int files = 160;
        for (int i = 0; i < files; i++)
        {
            string kind = Kinds[random.Next(Kinds.Length)];
            uint rate = rates[random.Next(rates.Length)];
            int channels = 1 + random.Next(3);
            int frames = random.Next(6) == 0 ? random.Next(64) : (int)(Math.Min(rate, 48000u) * (0.9 + random.NextDouble() * 0.7));
            string name = $"f{i:D3}.wav";
            File.WriteAllBytes(Path.Combine(dir, name), RawWav.Float(Samples(random, kind, frames * channels), channels, rate, doublePrecision: random.Next(4) == 0));
            kinds[name] = kind;
        }

        foreach (var file in Directory.GetFiles(dir))
        {
            var r = HangGuard.Run(file, () => AudioFileLoader.Load(file));
            if (!r.Ok) { Assert.False(string.IsNullOrWhiteSpace(r.SkipReason)); continue; }
            Assert.All(r.Mono, v => Assert.True(float.IsFinite(v)));
            Assert.InRange(r.Mono.Max(Math.Abs), AudioFileLoader.SilencePeak / 2, AudioFileLoader.MaxPeak * 3); // mono averages channels
        }

        var corpus = HangGuard.Run("corpus", () => Corpus.Load(dir, new FeatureConfig()), seconds: 120);
        Assert.Equal(files, corpus.Clips.Count + corpus.Skipped.Count);
        foreach (var clip in corpus.Clips)
        {
            Assert.True(Array.TrueForAll(clip.LogMel, float.IsFinite) && Array.TrueForAll(clip.LogMagnitude, Half.IsFinite), $"{clip.RelativePath}: non-finite features");
            Assert.DoesNotContain(kinds[clip.RelativePath], new[] { "huge", "NaN-laced", "infinity-laced", "spiky", "denormal", "silent" });
        }
        foreach (var kind in Kinds)
            output.WriteLine($"{kind}: {corpus.Clips.Count(c => kinds[c.RelativePath] == kind)} usable, {corpus.Skipped.Count(s => kinds[s.RelativePath] == kind)} skipped");
        output.WriteLine($"{files} random float WAVs: {corpus.Clips.Count} usable with finite features, {corpus.Skipped.Count} skipped with a reason, 0 exceptions");
        Assert.True(corpus.Clips.Count >= 10, $"only {corpus.Clips.Count} usable");
        Directory.Delete(dir, true);
    }
}
