using Distill.Runtime.Evaluation;

namespace Distill.Trainer.Pipeline;

/// <summary>What <c>distill evaluate --generation</c> plays: a note of <see cref="Seconds"/> per anchor and
/// temperature, at variation 1, the first <see cref="MaxAnchors"/> anchors (all when null).</summary>
public sealed record GenerationSettings(double Seconds, double[] Temperatures, int? MaxAnchors)
{
    public const double DefaultSeconds = 30;
    public static readonly double[] DefaultTemperatures = [0.7, 1.0, 1.5];

    public static readonly GenerationSettings Default = new(DefaultSeconds, DefaultTemperatures, null);
}

/// <summary>Issue 11's goals for one generated note: no 1 s window further from the anchor than 1.5× the original's
/// own worst window; 1 s levels within the original's range ± 3 dB; no silent hole (a run of silent 50 ms frames
/// longer than any the original has: with none of its own, no silent frame at all); no clipped sample the original
/// does not have.</summary>
public sealed record GenerationGoals(bool WindowDistance, bool LevelRange, bool NoSilentHole, bool NoNewClipping)
{
    public const double WindowDistanceRatio = 1.5, LevelMarginDb = 3, FrechetRatio = 1.5;

    public bool All => WindowDistance && LevelRange && NoSilentHole && NoNewClipping;

    public static GenerationGoals Of(GeneratedClipMeasures m) =>
        new(m.WindowDistanceRatio <= WindowDistanceRatio, m.RmsBeyondOriginalRangeDb <= LevelMarginDb,
            m.SilentHoleFrames == 0, m.ClippedSamplesDifference <= 0);
}

/// <summary>One anchor continued at one temperature: its measures against the anchor's original, and the Fréchet
/// distance of its PCA'd log-mel frames to the original's.</summary>
public sealed record GeneratedNote(double Temperature, double FrechetToOriginal, GeneratedClipMeasures Measures,
                                   GenerationGoals Goals);

/// <summary>One anchor's generated notes, with its variation-0 replay (the clip's own length) against the original
/// for reference — the Fréchet distance of its frames and its worst 1 s window over the original's own: what the
/// codec alone moves, before any generation.</summary>
public sealed record GeneratedAnchor(string Anchor, string File, string Split, double ReplayFrechetToOriginal,
                                     double ReplayWindowDistanceRatio, GeneratedNote[] Notes);

/// <summary>All generated notes of one temperature pooled, against the training clips: Fréchet distance, its ratio
/// to the real-vs-real baseline, and the goal (≤ 1.5×; unknown without validation clips to make a baseline).</summary>
public sealed record TemperatureFrechet(double Temperature, double FrechetToTraining, double BaselineRatio,
                                        bool? Goal);

/// <summary>
/// The generation measures of data.md: a 32-component PCA fitted on the log-mel frames (dB, 128 bands) of the training
/// clips; the Fréchet distance of Gaussians on those frames, generated against training (per temperature) and
/// validation against training (<see cref="BaselineFrechet"/>, the real-vs-real baseline); and per anchor and
/// temperature, the collapse and breakage measures of <see cref="GeneratedClipMeasures"/> with issue 11's goals.
/// A world evaluated without its run folder has no split: every clip found is a training clip and no baseline is made.
/// </summary>
public sealed record GenerationEvaluation(double Seconds, double Variation, int PcaComponents, int TrainingClips,
                                          int ValidationClips, double BaselineFrechet,
                                          TemperatureFrechet[] Temperatures, GeneratedAnchor[] Anchors)
{
    public const int PcaAxes = 32;
    public const double GeneratedVariation = 1;

    /// <summary>An anchor with its original clip, loaded mono at the model's rate.</summary>
    public sealed record Clip(int Index, string Anchor, string File, string Split, float[] Audio);

    /// <summary>Plays every anchor of <paramref name="from"/> (the first <see cref="GenerationSettings.MaxAnchors"/>)
    /// at each temperature on <paramref name="world"/>, which has <paramref name="anchors"/> anchors, and measures it;
    /// <paramref name="clips"/> are every loaded clip, whose splits make the PCA and the baseline.</summary>
    public static GenerationEvaluation Run(string world, int anchors, IReadOnlyList<Clip> clips,
                                           IReadOnlyList<Clip> from, GenerationSettings settings,
                                           Action<string>? onNote = null)
    {
        var spectrograms = clips.ToDictionary(c => c.Index, c => new MelPowerSpectrogram(c.Audio));
        var training = clips.Where(c => c.Split != WorldEvaluation.Validation).Select(c => spectrograms[c.Index])
                            .ToArray();
        var validation = clips.Where(c => c.Split == WorldEvaluation.Validation).Select(c => spectrograms[c.Index])
                              .ToArray();
        if (training.Length == 0)
            throw new UserFacingException("The generation measures need training clips to fit the PCA on, and none " +
                                          "was found.");
        var space = new FrameSpace(Pca.Fit(Concatenated(training), MelPowerSpectrogram.Features.Mels, PcaAxes));
        var trainingGaussian = space.Fit(space.Project(training));
        double baseline = validation.Length == 0
            ? double.NaN
            : FrechetDistance.Between(space.Fit(space.Project(validation)), trainingGaussian);

        // Projected frames, not spectrograms: a 30 s note's spectrogram is 14 MB, its 32 axes 0.7 MB.
        var pooled = settings.Temperatures.ToDictionary(t => t, _ => new List<double[]>());
        var generated = from.Take(settings.MaxAnchors ?? int.MaxValue).Select(clip => Continue(
            world, WorldNote.KeyFor(clip.Index, anchors), clip, spectrograms[clip.Index], space, settings,
            (temperature, frames) => pooled[temperature].Add(frames), onNote)).ToArray();
        var temperatures = settings.Temperatures.Select(t =>
        {
            double distance = FrechetDistance.Between(space.Fit([.. pooled[t].SelectMany(p => p)]), trainingGaussian);
            double ratio = distance / baseline;
            return new TemperatureFrechet(t, distance, ratio,
                                          double.IsNaN(ratio) ? null : ratio <= GenerationGoals.FrechetRatio);
        }).ToArray();
        return new GenerationEvaluation(settings.Seconds, GeneratedVariation, space.Pca.Components, training.Length,
                                        validation.Length, baseline, temperatures, generated);
    }

    /// <summary>One anchor's notes, played with <paramref name="key"/>: the variation-0 replay of the clip's length,
    /// then a note per temperature, each measured against the original; <paramref name="onFrames"/> receives each
    /// note's projected frames.</summary>
    static GeneratedAnchor Continue(string world, int key, Clip clip, MelPowerSpectrogram original, FrameSpace space,
                                    GenerationSettings settings, Action<double, double[]> onFrames,
                                    Action<string>? onNote)
    {
        var originalGaussian = space.Fit(space.Project(original));
        var replay = new WorldNote(key, clip.Audio.Length / (double)WorldNote.SampleRate) { Variation = 0 }.Mono(world);
        var replaySpectrogram = new MelPowerSpectrogram(replay);
        double replayFrechet = FrechetDistance.Between(space.Fit(space.Project(replaySpectrogram)), originalGaussian);
        double replayWindow =
            GeneratedClipMeasures.Of(clip.Audio, original, replay, replaySpectrogram).WindowDistanceRatio;
        var notes = new List<GeneratedNote>();
        foreach (double temperature in settings.Temperatures)
        {
            onNote?.Invoke(FormattableString.Invariant($"{clip.Anchor} at temperature {temperature}"));
            var audio = new WorldNote(key, settings.Seconds)
            {
                Variation = GeneratedVariation, Temperature = temperature,
            }.Mono(world);
            var spectrogram = new MelPowerSpectrogram(audio);
            var frames = space.Project(spectrogram);
            onFrames(temperature, frames);
            var measures = GeneratedClipMeasures.Of(clip.Audio, original, audio, spectrogram);
            notes.Add(new GeneratedNote(temperature, FrechetDistance.Between(space.Fit(frames), originalGaussian),
                                        measures, GenerationGoals.Of(measures)));
        }
        return new GeneratedAnchor(clip.Anchor, clip.File, clip.Split, replayFrechet, replayWindow, notes.ToArray());
    }

    /// <summary>The PCA's space of log-mel frames, where the Gaussians are fitted.</summary>
    sealed record FrameSpace(Pca Pca)
    {
        public double[] Project(params IEnumerable<MelPowerSpectrogram> spectrograms) =>
            Pca.Project(Concatenated(spectrograms));

        public Gaussian Fit(double[] projected) => Gaussian.Fit(projected, Pca.Components);
    }

    /// <summary>The floored log-mel frames (dB) of every clip, one after another, point-major.</summary>
    static double[] Concatenated(IEnumerable<MelPowerSpectrogram> spectrograms) =>
        spectrograms.SelectMany(s => s.MelDb).Select(v => (double)v).ToArray();
}
