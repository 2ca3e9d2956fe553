using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;
using Distill.Runtime.Evaluation;
using Distill.Runtime.Inference;
using Distill.Trainer.Prior;

namespace Distill.Trainer.Export;

/// <summary>
/// Each anchor's spectrum corrections (<see cref="Anchor.Spectrum"/>). The engine's replay of a clip's codes and its
/// generated notes keep a long-term spectrum of their own: a drone's replay fills the gaps between its harmonics (8.8
/// dB per band from its clip on average), a shimmer's notes are 10 dB per band off. Both are played through the
/// plugins' renderer (the replay, and a note at variation 1 and temperature 1 with a seed of its own) and measured
/// in the evaluation's mel bands (<see cref="BandPowerDb"/>); each correction is the clip's spectrum minus the measured
/// one, less its median over the bands the clip sounds in, cut by at most <see cref="MaxCutDb"/> and lifted by at most
/// <see cref="MaxLiftDb"/> (a band the decoder leaves empty is not blown up into noise). The engine reshapes each
/// decoded frame with it, keeping the frame's power: the level stays the gain's.
/// </summary>
public static class AnchorSpectra
{
    public const double MaxCutDb = 24, MaxLiftDb = 12;
    /// <summary>Bands this close to a clip's loudest are bands it sounds in.</summary>
    public const double SoundingBandsDb = 40;
    /// <summary>The measured note's length: long enough for the prior to wander as notes do.</summary>
    public const int NoteSeconds = 20;
    /// <summary>The measured note's seed: not the one <c>distill evaluate</c> plays (the parameter's default, 1), so
    /// the evaluation judges notes the correction was not fitted to.</summary>
    public const ulong NoteSeed = 2;

    /// <summary><paramref name="manifest"/> with each anchor's corrections measured on <paramref name="graphs"/>
    /// (unchanged where its clip's spectrum is unknown).</summary>
    public static WorldManifest Apply(WorldManifest manifest, WorldGraphFiles graphs, IReadOnlyList<CodeSequence> clips)
    {
        if (clips.All(c => c.SpectrumDb is null)) return manifest;
        using var models = WorldModels.Create(manifest, graphs, manifest.Name);
        int noteSteps = (int)Math.Ceiling(NoteSeconds * manifest.Grid.StepsPerSecond);
        var note = GenerationControls.Defaults with
        {
            Variation = 1, Sampling = GenerationControls.Defaults.Sampling with { Temperature = 1 },
        };
        // Each anchor on its own renderers, on every core (the sessions serve them all, as for the openings).
        var anchors = manifest.Anchors.ToArray();
        Parallel.For(0, anchors.Length, i =>
        {
            if (clips[i].SpectrumDb is not { } clip) return;
            var tokens = new AnchorTokens(clips[i].Name, clips[i].TimeSteps, clips[i].Tokens);
            var replay = VoiceRenderer.Replay(models, tokens);
            var played = VoiceRenderer.Play(models, tokens, note, noteSteps, NoteSeed);
            anchors[i] = anchors[i] with { Spectrum = new(Correction(clip, replay), Correction(clip, played)) };
        });
        return manifest with { Anchors = anchors };
    }

    /// <summary>The long-term spectrum of a clip given as natural-log STFT magnitudes (the features'):
    /// <see cref="BandPowerDb"/>.</summary>
    public static double[] ClipSpectrumDb(ReadOnlySpan<Half> logMagnitude)
    {
        var magnitude = new float[logMagnitude.Length];
        for (int i = 0; i < magnitude.Length; i++) magnitude[i] = MathF.Exp((float)logMagnitude[i]);
        return BandPowerDb(MelPowerSpectrogram.FromMagnitude(magnitude));
    }

    /// <summary>dB of each mel band's mean power, at most <see cref="MelPowerSpectrogram.FloorBelowPeakDb"/> below the
    /// loudest band's. Power, not mean dB: a sparse sound's silences weigh nothing, so where notes fill them in, the
    /// bands that sound are not taken for too loud.</summary>
    public static double[] BandPowerDb(MelPowerSpectrogram s)
    {
        var power = new double[s.Mels];
        for (int t = 0; t < s.Frames; t++)
            for (int m = 0; m < s.Mels; m++) power[m] += s.MelPower[t * s.Mels + m];
        var db = power.Select(p => 10 * Math.Log10(Math.Max(p / Math.Max(1, s.Frames), 1e-30))).ToArray();
        double floor = db.Max() - MelPowerSpectrogram.FloorBelowPeakDb;
        return [.. db.Select(d => Math.Max(d, floor))];
    }

    /// <summary>dB per band that bring <paramref name="audio"/>'s long-term spectrum to <paramref name="clipDb"/>'s
    /// shape: the difference less its median over the bands the clip sounds in (within <see cref="SoundingBandsDb"/>
    /// of its loudest: the level is the gain's, and bands at the clip's floor say nothing of it), within the cut and
    /// lift; a band the clip does not sound in is only ever cut.</summary>
    public static double[] Correction(double[] clipDb, ReadOnlySpan<float> audio)
    {
        var measured = BandPowerDb(new MelPowerSpectrogram(audio));
        double loudest = clipDb.Max();
        var sounding = Enumerable.Range(0, clipDb.Length).Where(m => clipDb[m] >= loudest - SoundingBandsDb)
                                 .Select(m => clipDb[m] - measured[m]).Order().ToArray();
        double median = (sounding[(sounding.Length - 1) / 2] + sounding[sounding.Length / 2]) / 2;
        return [.. clipDb.Select((db, m) => Math.Round(Math.Clamp(db - measured[m] - median, -MaxCutDb,
                                                                 db >= loudest - SoundingBandsDb ? MaxLiftDb : 0), 2))];
    }
}
