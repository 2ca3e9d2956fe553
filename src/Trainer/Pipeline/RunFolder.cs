using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Export;
using Distill.Trainer.Torch;

namespace Distill.Trainer.Pipeline;

/// <summary>A run folder's creation and the housekeeping of its own files.</summary>
public static class RunFolder
{
    /// <summary>Temporary files the trainer writes before renaming them into place (checkpoints, the world, the
    /// example, the plot, the evaluation). One is left only when the process was killed mid-write, and is never
    /// read.</summary>
    static readonly string[] TemporaryPatterns =
        ["*.bin.tmp", $".{WorldExport.DefaultFile}.*.tmp", "*.wav.tmp", "*.png.tmp.png", "*.json.tmp"];

    /// <summary>Deletes temporaries left in <paramref name="runDir"/> and its prior folder by an interrupted
    /// run.</summary>
    public static void RemoveTemporaries(string runDir)
    {
        string[] folders = [runDir, Path.Combine(runDir, TrainedRun.PriorFolder)];
        foreach (string folder in folders.Where(Directory.Exists))
            foreach (string pattern in TemporaryPatterns)
                foreach (string file in Directory.GetFiles(folder, pattern))
                    File.Delete(file);
    }

    /// <summary>A run folder inside the input folder would write among the user's sounds, and its own files (the
    /// example, the world) would change the input set that --resume checks.</summary>
    public static void RefuseInsideInput(string input, string runDir)
    {
        if (RealPath.Of(input) is not { } inputReal) return; // reading the folder says what is wrong with it
        if (RealPath.IsWithin(RealPath.OfFuture(runDir), inputReal))
            throw new UserFacingException($"The run folder '{runDir}' is inside the input folder '{input}': the run " +
                                          "would write among your sounds and read its own files back as training " +
                                          "audio. Choose a run folder outside it.");
    }

    /// <summary>Creates the run folder (refusing to mix with an existing run) and proves it writable.
    /// Returns whether it had to be created.</summary>
    public static bool Prepare(string runDir)
    {
        try
        {
            bool existed = Directory.Exists(runDir);
            if (File.Exists(runDir))
                throw new UserFacingException($"The output path '{runDir}' is a file, not a folder.");

            if (Checkpoint.Exists(Path.Combine(runDir, AutoencoderTrainer.CheckpointFile)))
                throw new UserFacingException($"'{runDir}' already holds a run. Continue it with: " +
                                              $"distill train --resume {runDir}");
            Directory.CreateDirectory(runDir);
            string probe = Path.Combine(runDir, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return !existed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write to the output folder '{runDir}': {e.Message}");
        }
    }
}
