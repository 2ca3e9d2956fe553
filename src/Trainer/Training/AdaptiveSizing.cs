namespace Distill.Trainer.Training;

/// <summary>A configuration value and whether the user set it or the dataset size chose it.</summary>
public readonly record struct Setting<T>(T Value, bool Overridden)
{
    public string Source => Overridden ? "(override)" : "(auto)";
}

public static class Setting
{
    public static Setting<T> Resolve<T>(T? userValue, T automatic) where T : struct =>
        userValue is { } v ? new(v, true) : new(automatic, false);
}

/// <summary>Sizes that follow the number of usable files: bigger datasets support larger
/// codebooks, slower EMA (more samples per code per step) and a bigger prior.</summary>
public static class AdaptiveSizing
{
    public static int CodebookSize(int files) => files <= 20 ? 64 : files <= 100 ? 128 : 256;

    public static double EmaDecay(int files) => files <= 20 ? 0.8 : files <= 100 ? 0.9 : 0.95;

    public static (int Hidden, int Layers) Prior(int files) =>
        files <= 20 ? (128, 2) : files <= 100 ? (256, 4) : (512, 6);

    public static int MinimumFiles => 5;
}
