using System.Numerics;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Trainer.Prior;

namespace Distill.Trainer.Export;

/// <summary>
/// Each anchor's gain (<see cref="Anchor.GainDb"/>): the dB that bring the engine's replay of its codes to its clip's
/// power; and the range of that replay's short-term levels at the gain (<see cref="Anchor.Levels"/>), within which its
/// notes are kept (<see cref="LevelRangeKeeper"/>), so a note at variation 0 plays exactly as the replay. The decoder is
/// calibrated per bin over the whole corpus (<c>PowerCalibration</c>), but a sparse or quiet sound decodes far below
/// its own level — the log-magnitude loss fits each bin's median, the silence between a bird's chirps — and magnitudes
/// no signal has partly cancel in phase reconstruction's overlap-add. So the replay is played through the plugins' own
/// renderer and measured with the features' STFT, like the clip.
/// </summary>
public static class AnchorGains
{
    /// <summary>The largest gain an anchor gets: codes that carry almost nothing of a clip are not blown up into
    /// noise.</summary>
    public const double LimitDb = 40;

    /// <summary><paramref name="manifest"/> with each anchor's gain and levels measured on <paramref name="graphs"/>
    /// (unchanged where its clip's power is unknown).</summary>
    public static WorldManifest Apply(WorldManifest manifest, WorldGraphFiles graphs, IReadOnlyList<CodeSequence> clips)
    {
        if (clips.All(c => c.Power <= 0)) return manifest;
        using var models = WorldModels.Create(manifest, graphs, manifest.Name);
        var features = new LogMelFeatures(new FeatureConfig());
        var anchors = manifest.Anchors.Select((anchor, i) =>
        {
            var clip = clips[i];
            if (clip.Power <= 0) return anchor;
            var replay = VoiceRenderer.Replay(models, new AnchorTokens(clip.Name, clip.TimeSteps, clip.Tokens));
            var (_, logMagnitude) = features.LogMelAndMagnitude(replay, out _);
            double gainDb = GainDb(clip.Power, MeanPower<float>(logMagnitude));
            var levels = LevelRangeKeeper.WindowLevelsDb(replay, manifest.Audio.SampleRate, manifest.Audio.Hop,
                                                         VoiceRenderer.KeeperSkipBlocks);
            return anchor with
            {
                GainDb = gainDb, Levels = new AnchorLevels(levels.Min() + gainDb, levels.Max() + gainDb),
            };
        });
        return manifest with { Anchors = [.. anchors] };
    }

    /// <summary>dB from <paramref name="power"/> to <paramref name="target"/>, at most ±<see cref="LimitDb"/> (0 when
    /// either is not a power).</summary>
    public static double GainDb(double target, double power)
    {
        double ratio = target / power;
        return double.IsFinite(ratio) && ratio > 0 ? Math.Clamp(10 * Math.Log10(ratio), -LimitDb, LimitDb) : 0;
    }

    /// <summary>Mean of |X|² over STFT frames and bins given as natural-log magnitudes (the features').</summary>
    public static double MeanPower<T>(ReadOnlySpan<T> logMagnitude) where T : INumberBase<T>
    {
        double sum = 0;
        foreach (var v in logMagnitude) sum += Math.Exp(2 * double.CreateTruncating(v));
        return logMagnitude.IsEmpty ? 0 : sum / logMagnitude.Length;
    }
}
