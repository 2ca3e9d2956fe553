using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;

namespace Distill.Trainer.Data;

/// <summary>One usable file: its features at the model rate, frame-major, and the range of its short-term levels
/// (<see cref="VoiceRenderer.LevelRange"/>).</summary>
public sealed record CorpusClip(string Name, string RelativePath, int Frames, float[] LogMel, Half[] LogMagnitude,
                                double Seconds, int SourceRate, int Channels, AnchorLevels Levels);

public sealed record SkippedFile(string RelativePath, string Reason);

/// <summary>
/// The user's folder read into features. Files are only ever opened for reading; every file that
/// cannot be used is listed with its reason instead of failing the run.
/// </summary>
public sealed class Corpus
{
    /// <summary>Longer files are cut here to bound memory (the log-magnitude target is large).</summary>
    public const double MaxSecondsPerFile = 120;

    public required string Folder { get; init; }
    public required FeatureConfig Features { get; init; }
    public required IReadOnlyList<CorpusClip> Clips { get; init; }
    public required IReadOnlyList<SkippedFile> Skipped { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Scans <paramref name="folder"/> recursively (<see cref="FolderWalk"/>) in ordinal path order (so the
    /// split is reproducible across machines) and extracts features of every usable file.</summary>
    public static Corpus Load(string folder, FeatureConfig features, Action<string>? onFile = null)
    {
        if (File.Exists(folder))
            throw new UserFacingException(
                $"'{folder}' is a file, not a folder: give the folder that holds your sounds.");
        if (!Directory.Exists(folder))
            throw new UserFacingException($"The folder '{folder}' does not exist.");
        var walk = FolderWalk.Of(folder);

        var clips = new List<CorpusClip>();
        var skipped = walk.Skipped.ToList();
        var warnings = new List<string>();
        var extractor = new LogMelFeatures(features);
        foreach (string path in walk.Files)
        {
            string rel = Path.GetRelativePath(folder, path);
            onFile?.Invoke(rel);
            var loaded = AudioFileLoader.Load(path);
            if (!loaded.Ok)
            {
                skipped.Add(new SkippedFile(rel, loaded.SkipReason ?? "unusable"));
                continue;
            }
            if (loaded.Warning is not null) warnings.Add($"{rel}: {loaded.Warning}");
            if (loaded.Seconds > MaxSecondsPerFile)
                warnings.Add($"{rel}: {loaded.Seconds:F0} s long, using the first {MaxSecondsPerFile:F0} s");
            float[] audio = MonoAt(loaded, features.SampleRate);
            var (mel, mag) = extractor.LogMelAndMagnitude(audio, out int frames);
            var magnitude = Array.ConvertAll(mag, v => (Half)v);
            // One non-finite feature would make every loss, gradient and statistic of the run non-finite.
            if (!Array.TrueForAll(mel, float.IsFinite) || !Array.TrueForAll(magnitude, Half.IsFinite))
            {
                skipped.Add(new SkippedFile(rel, "its spectrum is not finite (the samples are too large to analyse)"));
                continue;
            }
            clips.Add(new CorpusClip(ClipName(rel), rel, frames, mel, magnitude, loaded.Seconds, loaded.SampleRate,
                                     loaded.Channels, VoiceRenderer.LevelRange(audio, features.SampleRate, features.Hop)));
        }
        skipped.Sort((x, y) => string.CompareOrdinal(x.RelativePath, y.RelativePath));
        return new Corpus
        {
            Folder = folder, Features = features, Clips = clips, Skipped = skipped, Warnings = warnings,
        };
    }

    /// <summary>The mono mix of a loaded file as training hears it: cut to <see cref="MaxSecondsPerFile"/> and
    /// resampled to <paramref name="sampleRate"/>.</summary>
    public static float[] MonoAt(AudioLoadResult loaded, int sampleRate)
    {
        float[] audio = loaded.Mono;
        if (loaded.Seconds > MaxSecondsPerFile) audio = audio[..(int)(MaxSecondsPerFile * loaded.SampleRate)];
        return loaded.SampleRate == sampleRate
            ? audio
            : PolyphaseResampler.ResampleAll(audio, loaded.SampleRate, sampleRate);
    }

    /// <summary>Anchor-friendly name: the relative path without extension, '/' kept.</summary>
    public static string ClipName(string relativePath) =>
        Path.ChangeExtension(relativePath, null)!.Replace('\\', '/');
}
