using Distill.Runtime.Dsp;

namespace Distill.Tests.Dsp;

public class MelFilterbankTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1000, 15)]              // 1000 Hz / (200/3 Hz per mel)
    [InlineData(500, 7.5)]
    public void SlaneyScaleIsLinearBelowOneKilohertz(double hz, double mel) =>
        Assert.Equal(mel, MelFilterbank.HzToMel(hz), 9);

    [Fact]
    public void SlaneyScaleIsLogarithmicAboveOneKilohertz()
    {
        // 27 mels per factor 6.4 above the break.
        Assert.Equal(15 + 27, MelFilterbank.HzToMel(6400), 9);
        foreach (double hz in new[] { 50.0, 999, 1001, 4000, 23999 })
            Assert.Equal(hz, MelFilterbank.MelToHz(MelFilterbank.HzToMel(hz)), 6);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(1000)]
    [InlineData(3000)]
    [InlineData(12000)]
    public void ASineLandsInTheBandCentredNearestItsFrequency(double hz)
    {
        var features = new LogMelFeatures(new FeatureConfig());
        var x = Enumerable.Range(0, 48000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * hz * i / 48000))).ToArray();
        var mel = features.LogMel(x, out int frames);
        var frame = mel.AsSpan(frames / 2 * 128, 128).ToArray();
        int loudest = Array.IndexOf(frame, frame.Max());
        var centres = features.Filterbank.Edges.Skip(1).Take(128).ToArray();
        int nearest = Array.IndexOf(centres, centres.MinBy(c => Math.Abs(MelFilterbank.HzToMel(c) - MelFilterbank.HzToMel(hz))));
        Assert.InRange(loudest, nearest - 1, nearest + 1);
    }

    [Fact]
    public void FiltersAreAreaNormalisedTrianglesCoveringTheRange()
    {
        var fb = new MelFilterbank(48000, 2048, 128, 0, 24000);
        double binHz = 48000.0 / 2048;
        for (int m = 0; m < 128; m++)
        {
            // Area of a triangle of height 2/(right−left) over [left, right] is 1 (in Hz).
            double area = Enumerable.Range(0, 1025).Sum(k => fb.Weight(m, k)) * binHz;
            if (fb.Edges[m + 2] - fb.Edges[m] > 8 * binHz) Assert.Equal(1.0, area, 0.05);
        }
        // Every bin strictly inside the range feeds at least one band.
        for (int k = 1; k < 1024; k++) Assert.True(Enumerable.Range(0, 128).Any(m => fb.Weight(m, k) > 0), $"bin {k} uncovered");
    }

    [Fact]
    public void SilenceIsTheLogFloorAndFramesAgreeBetweenFeatures()
    {
        var features = new LogMelFeatures(new FeatureConfig());
        var (mel, mag) = features.LogMelAndMagnitude(new float[24000], out int frames);
        Assert.Equal(frames * 128, mel.Length);
        Assert.Equal(frames * 1025, mag.Length);
        Assert.All(mel, v => Assert.Equal(MathF.Log(1e-5f), v, 5));
        Assert.All(mag, v => Assert.Equal(MathF.Log(1e-5f), v, 5));
    }

    [Fact]
    public void BothFeaturesComeFromTheSameFramesAsTheirSeparateDefinitions()
    {
        var config = new FeatureConfig();
        var features = new LogMelFeatures(config);
        var audio = Distill.Runtime.Demo.DemoCorpus.Render("pad", seed: 3, seconds: 0.5);
        var (mel, mag) = features.LogMelAndMagnitude(audio, out _);
        Assert.Equal(features.LogMel(audio, out _), mel);
        var magnitude = new Stft(config.NFft, config.Hop).Magnitude(audio, out _);
        for (int i = 0; i < magnitude.Length; i++) Assert.Equal(MathF.Log(MathF.Max(magnitude[i], config.LogFloor)), mag[i], 4);
    }
}
