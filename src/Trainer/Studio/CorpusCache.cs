using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;


namespace Distill.Trainer.Studio;

/// <summary>The last folder read for training: the configuration table reads it, Start trains on the same clips
/// without reading the audio again.</summary>
public sealed class CorpusCache
{
    readonly object gate = new();
    (string Folder, Corpus Corpus)? last;

    /// <summary>The usable clips of <paramref name="folder"/>; a folder without any is refused with the CLI's
    /// message.</summary>

    public Corpus Load(string folder)
    {
        lock (gate)
        {
            if (last is { } known && known.Folder == folder) return known.Corpus;
            var corpus = RunCorpus.Read(folder);
            last = (folder, corpus);
            return corpus;
        }
    }
}
