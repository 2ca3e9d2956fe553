using Distill.Runtime.Bundle;
using Distill.Runtime.Evaluation;
using Distill.Runtime.Inference;
using Distill.Runtime.Engine;
using Distill.Trainer.Export;

namespace Distill.Tests.Export;

public class AnchorSpectraTests
{
    const int Rate = 48000;

    static float[] Noise(int seed, double seconds = 2)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, (int)(seconds * Rate)).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f)];
    }

    static float[] WithSine(float[] x, double hz, double amplitude) =>
        [.. x.Select((v, i) => v + (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / Rate)))];

    static double[] Spectrum(float[] x) => AnchorSpectra.BandPowerDb(new MelPowerSpectrogram(x));

    /// <summary>A louder copy of the clip needs no correction (the level is the gain's); a tone the clip does not have
    /// is cut in its band, and only around it (at most <see cref="AnchorSpectra.MaxCutDb"/>).</summary>
    [Fact]
    public void ALevelIsNoCorrectionAndAStrayToneIsCut()
    {
        var clip = Noise(1);
        var louder = Noise(2).Select(v => 4 * v).ToArray();
        // Two noises differ by up to 1.5 dB in the narrowest bands.
        Assert.All(AnchorSpectra.Correction(Spectrum(clip), louder), db => Assert.InRange(db, -1.5, 1.5));

        var toned = AnchorSpectra.Correction(Spectrum(clip), WithSine(Noise(2), 3000, 0.5));
        int band = Enumerable.Range(0, toned.Length).MinBy(m => toned[m]);
        Assert.InRange(MelPowerSpectrogram.BandCentreHz(band), 2800, 3200);
        Assert.Equal(-AnchorSpectra.MaxCutDb, toned[band]);
        // Only around it: the mel bands overlap, and the window spreads a tone over a few bins.
        Assert.All(Enumerable.Range(0, toned.Length).Where(m => toned[m] < -3),
                   m => Assert.InRange(m, band - 3, band + 3));
    }

    /// <summary>A band the clip does not sound in is never lifted, however empty the played audio is there; one it
    /// sounds in is lifted at most <see cref="AnchorSpectra.MaxLiftDb"/>.</summary>
    [Fact]
    public void OnlyBandsTheClipSoundsInAreLifted()
    {
        var clip = WithSine(Noise(1).Select(v => v * 1e-4f).ToArray(), 1000, 0.5);   // a tone over a floor
        var played = Noise(2).Select(v => v * 1e-4f).ToArray();                      // the floor alone
        var correction = AnchorSpectra.Correction(Spectrum(clip), played);
        var clipDb = Spectrum(clip);
        for (int m = 0; m < correction.Length; m++)
        {
            Assert.InRange(correction[m], -AnchorSpectra.MaxCutDb, AnchorSpectra.MaxLiftDb);
            if (clipDb[m] < clipDb.Max() - AnchorSpectra.SoundingBandsDb) Assert.True(correction[m] <= 0);
        }
        Assert.Contains(correction, db => db == AnchorSpectra.MaxLiftDb);
    }

    /// <summary>The tests' world carries both corrections for every anchor, and its replays come closer to their
    /// clips' long-term spectra with theirs than without (the median band's distance, level aside).</summary>
    [Fact]
    public void TheTestWorldsReplaysComeCloserToTheirClipsSpectra()
    {
        var bundle = WorldBundle.Open(TestWorld.BundlePath);
        using var models = WorldModels.Create(bundle.Manifest, bundle.Models, TestWorld.BundlePath);
        string corpus = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(TestWorld.BundlePath))!, "corpus");
        double Distance(double[] a, double[] b)
        {
            var d = a.Select((v, m) => v - b[m]).ToArray();
            double median = d.Order().ElementAt(d.Length / 2);
            return d.Average(v => Math.Abs(v - median));
        }
        double with = 0, without = 0;
        foreach (var anchor in bundle.Anchors)
        {
            Assert.NotNull(anchor.Spectrum);
            string file = Directory.GetFiles(corpus).Single(f => Path.GetFileNameWithoutExtension(f) == anchor.Name);
            var clip = Distill.Trainer.Data.Corpus.MonoAt(Distill.Runtime.Audio.AudioFileLoader.Load(file), Rate);
            var clipDb = Spectrum(clip.AsSpan(0, Math.Min(clip.Length,
                                  anchor.TimeSteps * WorldGraphs.FramesPerStep * bundle.Manifest.Audio.Hop)).ToArray());
            with += Distance(clipDb, Spectrum(VoiceRenderer.Replay(models, anchor)));
            without += Distance(clipDb, Spectrum(VoiceRenderer.Replay(models, anchor with { Spectrum = null })));
        }
        int n = bundle.Anchors.Count;
        Assert.True(with < 0.8 * without, $"replays {with / n:F2} dB per band from their clips' spectra with their " +
                                          $"corrections, {without / n:F2} without");
    }
}
