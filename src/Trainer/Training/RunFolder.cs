namespace Distill.Trainer.Training;

/// <summary>Housekeeping of a run folder's own files.</summary>
public static class RunFolder
{
    /// <summary>Temporary files the trainer writes before renaming them into place (checkpoints, the world, the
    /// example, the plot). One is left only when the process was killed mid-write, and is never read.</summary>
    static readonly string[] TemporaryPatterns = ["*.bin.tmp", $".{Export.WorldExport.DefaultFile}.*.tmp", "*.wav.tmp", "*.png.tmp.png"];

    /// <summary>Deletes temporaries left in <paramref name="runDir"/> and its prior folder by an interrupted run.</summary>
    public static void RemoveTemporaries(string runDir)
    {
        foreach (string folder in new[] { runDir, Path.Combine(runDir, TrainedRun.PriorFolder) }.Where(Directory.Exists))
            foreach (string pattern in TemporaryPatterns)
                foreach (string file in Directory.GetFiles(folder, pattern))
                    File.Delete(file);
    }
}
