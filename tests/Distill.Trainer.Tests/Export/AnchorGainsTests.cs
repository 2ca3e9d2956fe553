using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Trainer.Data;
using Distill.Trainer.Export;

namespace Distill.Tests.Export;

public class AnchorGainsTests
{
    /// <summary>The power of natural-log magnitudes is the mean of |X|²; a gain is the dB between two powers, at
    /// most ±<see cref="AnchorGains.LimitDb"/>, and 0 where either is no power.</summary>
    [Fact]
    public void PowersAndGainsFollowTheirDefinitions()
    {
        Assert.Equal((1 + 4 + 9) / 3.0, AnchorGains.MeanPower<float>([0, MathF.Log(2), MathF.Log(3)]), 5);
        Assert.Equal(4, AnchorGains.MeanPower<Half>([(Half)Math.Log(2)]), 2);
        Assert.Equal(0, AnchorGains.MeanPower<float>([]));
        Assert.Equal(10, AnchorGains.GainDb(10, 1), 12);
        Assert.Equal(-6.0206, AnchorGains.GainDb(1, 4), 4);
        Assert.Equal(AnchorGains.LimitDb, AnchorGains.GainDb(1e9, 1));
        Assert.Equal(-AnchorGains.LimitDb, AnchorGains.GainDb(1, 1e9));
        Assert.Equal(0, AnchorGains.GainDb(1, 0));
        Assert.Equal(0, AnchorGains.GainDb(0, 1));
    }

    /// <summary>The tests' world replays every anchor at its clip's power: the engine's replay of its codes at its
    /// gain has the mean STFT power the original file has over the frames the codes cover (unless the gain is at its
    /// limit). Its weak codec decodes some clips far off their level, so the gains had work to do.</summary>
    [Fact]
    public void EveryAnchorReplaysAtItsClipsPower()
    {
        var bundle = WorldBundle.Open(TestWorld.BundlePath);
        using var models = WorldModels.Create(bundle.Manifest, bundle.Models, TestWorld.BundlePath);
        string corpus = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(TestWorld.BundlePath))!, "corpus");
        var config = new FeatureConfig();
        var features = new LogMelFeatures(config);
        int bins = config.NFft / 2 + 1;
        foreach (var anchor in bundle.Anchors)
        {
            string file = Directory.GetFiles(corpus).Single(f => Path.GetFileNameWithoutExtension(f) == anchor.Name);
            var (_, clip) = features.LogMelAndMagnitude(Corpus.MonoAt(AudioFileLoader.Load(file), config.SampleRate),
                                                        out int frames);
            int covered = Math.Min(frames, anchor.TimeSteps * WorldGraphs.FramesPerStep) * bins;
            var (_, replay) = features.LogMelAndMagnitude(VoiceRenderer.Replay(models, anchor), out _);
            double errorDb = 10 * Math.Log10(AnchorGains.MeanPower<float>(replay)
                                             / AnchorGains.MeanPower<float>(clip.AsSpan(0, covered)));
            if (Math.Abs(anchor.GainDb) < AnchorGains.LimitDb)
                Assert.True(Math.Abs(errorDb) < 0.1, $"{anchor.Name} replays {errorDb:F2} dB off its clip (gain {anchor.GainDb:F1} dB)");
        }
        Assert.Contains(bundle.Anchors, a => Math.Abs(a.GainDb) > 6);
    }
}
