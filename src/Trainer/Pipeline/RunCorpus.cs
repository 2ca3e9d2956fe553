using Distill.Runtime.Dsp;
using Distill.Trainer.Data;

namespace Distill.Trainer.Pipeline;

/// <summary>The sounds a run learns from, read from the user's folder.</summary>
public static class RunCorpus
{
    public const string Supported =
        "WAV, and FLAC/OGG/MP3/AIFF through libsndfile; each file at least 1 s, not silent.";

    /// <summary>The usable clips of <paramref name="folder"/>; a folder without any is refused after
    /// <paramref name="onRead"/> has seen what was skipped and why.</summary>
    public static Corpus Read(string folder, Action<string>? onFile = null, Action<Corpus>? onRead = null)
    {
        var corpus = Corpus.Load(folder, new FeatureConfig(), onFile);
        onRead?.Invoke(corpus);
        if (corpus.Clips.Count == 0)
            throw new UserFacingException(
                $"No usable audio in '{folder}': nothing to train on. Supported: {Supported}");
        return corpus;
    }

    /// <summary>The corpus a run was trained on, checked to be unchanged.</summary>
    public static Corpus ReadUnchanged(RunConfig config, Action<Corpus>? onRead = null)
    {
        var corpus = Read(config.InputFolder, onRead: onRead);
        if (!corpus.Clips.Select(c => c.RelativePath).SequenceEqual(config.Files))
            throw new UserFacingException($"The usable files in '{config.InputFolder}' changed since this run " +
                                          "started; start a new run instead.");

        return corpus;
    }
}
