namespace Distill.Trainer.Data;

/// <summary>Training/validation split by whole files, a pure function of (count, seed), so a
/// clip never leaks between the two and reruns agree.</summary>
public sealed record DataSplit(int[] Train, int[] Validation)
{
    public static DataSplit ByFile(int fileCount, int seed, double validationFraction = 0.15)
    {
        var order = Enumerable.Range(0, fileCount).ToArray();
        new Random(seed).Shuffle(order);
        // Under 4 files there is nothing to spare: validate on the training files.
        int val = fileCount < 4 ? 0 : Math.Clamp((int)Math.Round(fileCount * validationFraction), 1, fileCount - 3);
        var validation = order[..val].Order().ToArray();
        var train = order[val..].Order().ToArray();
        return new DataSplit(train, val == 0 ? train : validation);
    }

    public bool ValidatesOnTraining => Validation.SequenceEqual(Train);
}
