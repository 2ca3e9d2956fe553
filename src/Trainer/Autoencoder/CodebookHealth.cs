using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Autoencoder;

/// <summary>How well one RVQ level uses its codebook on a set of positions.</summary>
/// <param name="UtilizationPercent">Share of codes used at least once.</param>
/// <param name="Perplexity">exp(entropy) of the usage distribution: the effective number of codes.</param>
/// <param name="DeadCodes">Codes never used on the set.</param>
public readonly record struct LevelHealth(int Level, double UtilizationPercent, double Perplexity, int DeadCodes,
                                          long Positions);


public static class CodebookHealth
{
    public static LevelHealth FromCounts(int level, ReadOnlySpan<long> counts)
    {
        long total = 0; int used = 0;
        foreach (long c in counts) { total += c; if (c > 0) used++; }
        double entropy = 0;
        if (total > 0)
            foreach (long c in counts)
                if (c > 0) { double p = (double)c / total; entropy -= p * Math.Log(p); }
        return new LevelHealth(level, 100.0 * used / counts.Length, Math.Exp(entropy), counts.Length - used, total);
    }

    /// <summary>Adds the usage of each level in <paramref name="codes"/> [..., L] (−1 = level dropped)
    /// to <paramref name="counts"/>[level][code].</summary>
    public static void Accumulate(long[][] counts, Tensor codes)
    {
        using var scope = torch.NewDisposeScope();
        var flat = codes.reshape(-1, codes.shape[^1]);
        for (int l = 0; l < counts.Length; l++)
        {
            var column = flat[TensorIndex.Colon, l];
            var valid = column.masked_select(column >= 0);
            if (valid.shape[0] == 0) continue;
            var binned = torch.bincount(valid, null, counts[l].Length).data<long>().ToArray();
            for (int k = 0; k < binned.Length; k++) counts[l][k] += binned[k];
        }
    }

    public static long[][] NewCounts(int levels, int codebookSize) =>
        Enumerable.Range(0, levels).Select(_ => new long[codebookSize]).ToArray();

    public static LevelHealth[] Summarise(long[][] counts) =>
        counts.Select((c, l) => FromCounts(l, c)).ToArray();
}
