using System.Numerics;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Trainer.Data;
using Distill.Trainer.Prior;

namespace Distill.Trainer.Export;

/// <summary>
/// Each anchor's gain (<see cref="Anchor.GainDb"/>): the dB that bring the engine's replay of its codes to its clip's
/// power; and the range of short-term levels its notes are kept in (<see cref="Anchor.Levels"/>,
/// <see cref="LevelRangeKeeper"/>): from the clip's own quietest level to the replay's loudest at the gain, no second
/// below the clip's quietest second (neither floor above that loudest). The decoder
/// plays a sound's quiet passages quieter than they are (a piano's tail 11 dB, the gaps between a shimmer's grains up
/// to 10 dB), and notes that dwell there fell silent; kept to the replay's quietest, they could. The decoder is
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

    /// <summary>Replays at most that correct the gain for the quiet passages the range lifts.</summary>
    const int CorrectionPasses = 4;

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
            var tokens = new AnchorTokens(clip.Name, clip.TimeSteps, clip.Tokens, Spectrum: anchor.Spectrum);
            double ReplayPower(AnchorTokens a, out float[] replay)
            {
                replay = VoiceRenderer.Replay(models, a);
                var (_, logMagnitude) = features.LogMelAndMagnitude(replay, out _);
                return MeanPower<float>(logMagnitude);
            }
            double gainDb = GainDb(clip.Power, ReplayPower(tokens, out var plain));
            var replay = VoiceRenderer.LevelRange(plain, manifest.Audio.SampleRate, manifest.Audio.Hop);
            double replaySecond = replay.QuietestSecondDb!.Value;
            AnchorLevels Range(double gain)
            {
                double loudest = replay.LoudestDb + gain;
                return new(Math.Min(clip.Levels?.QuietestDb ?? replay.QuietestDb + gain, loudest), loudest,
                           Math.Min(clip.Levels?.QuietestSecondDb ?? replaySecond + gain, loudest));
            }
            // Lifting the quiet passages adds power, the more the lower the gain: measured with them lifted, the gain is
            // corrected until it holds. Floors at or under the replay's quietest lift nothing: no replay is needed.
            bool Lifts(AnchorLevels range, double gain) =>
                range.QuietestDb > replay.QuietestDb + gain || range.QuietestSecondDb > replaySecond + gain;
            for (int pass = 0; pass < CorrectionPasses && Lifts(Range(gainDb), gainDb); pass++)
            {
                double lifted = ReplayPower(tokens with { GainDb = gainDb, Levels = Range(gainDb) }, out _);
                double correction = GainDb(clip.Power, lifted);
                gainDb = Math.Clamp(gainDb + correction, -LimitDb, LimitDb);
                if (Math.Abs(correction) < 0.01) break;
            }
            return anchor with { GainDb = gainDb, Levels = Range(gainDb) };
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
