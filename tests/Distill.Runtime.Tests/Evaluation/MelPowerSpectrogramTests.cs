using Distill.Runtime.Dsp;
using Distill.Runtime.Evaluation;
using static Distill.Tests.Evaluation.EvaluationSignals;

namespace Distill.Tests.Evaluation;

public class MelPowerSpectrogramTests
{
    [Fact]
    public void EachClipIsFloored80DbBelowItsLoudestBin()
    {
        var s = new MelPowerSpectrogram(Sine(1000, 1));
        float peak = s.MelDb.Max();
        Assert.Equal(peak - 80, s.MelDb.Min(), 4);
        // A tone leaves most bands far below the floor before flooring.
        Assert.True(s.MelDb.Count(v => v == peak - 80) > s.MelDb.Length / 2);
    }

    [Fact]
    public void FlooredDbIsTenLog10AboveTheFloor()
    {
        float[] power = [1, 0.1f, 1e-3f, 1e-12f, 0];
        Assert.Equal([0, -10, -30, -40, -40], MelPowerSpectrogram.FlooredDb(power, 40),
                     (a, b) => Math.Abs(a - b) < 1e-4);
    }

    [Fact]
    public void MagnitudesGiveTheSameAnalysisAsTheAudioTheyCameFrom()
    {
        var audio = TwoTones(2.5);
        var f = MelPowerSpectrogram.Features;
        var fromAudio = new MelPowerSpectrogram(audio);
        var fromMagnitude = MelPowerSpectrogram.FromMagnitude(new Stft(f.NFft, f.Hop).Magnitude(audio, out _));
        Assert.Equal(fromAudio.Frames, fromMagnitude.Frames);
        Assert.Equal(fromAudio.Magnitude, fromMagnitude.Magnitude);
        Assert.Equal(fromAudio.MelPower, fromMagnitude.MelPower);
        Assert.Equal(fromAudio.MelDb, fromMagnitude.MelDb);
    }

    [Fact]
    public void MagnitudesMustBeWholeFrames() =>
        Assert.Throws<ArgumentException>(() => MelPowerSpectrogram.FromMagnitude(new float[2048 / 2 + 2]));

    [Fact]
    public void ATonePeaksInTheBandCentredNearestIt()
    {
        var s = new MelPowerSpectrogram(Sine(3000, 1));
        int middle = s.Frames / 2;
        var row = s.MelPower.AsSpan(middle * s.Mels, s.Mels).ToArray();
        int loudest = Array.IndexOf(row, row.Max());
        int nearest = Enumerable.Range(0, s.Mels).MinBy(m => Math.Abs(MelPowerSpectrogram.BandCentreHz(m) - 3000));
        Assert.Equal(nearest, loudest);
        Assert.Equal(2048 / 2 + 1, s.Bins);
        Assert.Equal(1 + Rate / 512, s.Frames);
    }
}
