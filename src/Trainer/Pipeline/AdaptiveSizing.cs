
namespace Distill.Trainer.Pipeline;

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
