using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Autoencoder;

/// <summary>Result of quantizing N vectors: the straight-through output, the codes per level
/// (-1 where a level was dropped) and the summed commitment loss.</summary>
public sealed record QuantizerOutput(Tensor Quantized, Tensor Codes, Tensor Commitment, int LevelsUsed);

/// <summary>
/// Residual VQ composed of <see cref="Codebook"/>s: level l quantizes what levels &lt; l left over.
/// Output Σ q_l with one straight-through estimator over the sum; one commitment term per level.
/// Quantize dropout (training only) skips a random number of trailing levels, so decoding with
/// fewer levels (the RVQ depth control) stays musical.
/// </summary>
public sealed class ResidualQuantizer : nn.Module
{
    readonly TorchSharp.Modules.ModuleList<Codebook> levels;
    public double CommitmentWeight { get; }
    public double QuantizeDropoutProbability { get; }

    public ResidualQuantizer(int levelCount, int codebookSize, int dim, double decay, double deadCodeThreshold,
                             double commitmentWeight = 0.25, double quantizeDropoutProbability = 0.5)
        : base(nameof(ResidualQuantizer))
    {
        levels = new TorchSharp.Modules.ModuleList<Codebook>(Enumerable.Range(0, levelCount)
            .Select(_ => new Codebook(codebookSize, dim, decay, deadCodeThreshold)).ToArray());
        CommitmentWeight = commitmentWeight;
        QuantizeDropoutProbability = quantizeDropoutProbability;
        RegisterComponents();
    }

    public int LevelCount => levels.Count;
    public Codebook Level(int l) => levels[l];

    /// <summary>Levels to use for one training batch: all, or with probability p a uniformly
    /// drawn 1..L (drawn from the caller's seeded Random so runs stay reproducible).</summary>
    public int DrawLevelCount(Random random) =>
        random.NextDouble() < QuantizeDropoutProbability ? random.Next(1, LevelCount + 1) : LevelCount;

    /// <param name="x">[N, D] vectors.</param>
    /// <param name="training">Run k-means init, EMA updates and dead-code expiry.</param>
    /// <param name="levelsUsed">How many leading levels to quantize with.</param>
    /// <param name="random">Seeded source of k-means seeds and dead-code samples (training only).</param>
    public QuantizerOutput Quantize(Tensor x, bool training, int levelsUsed, Random? random = null)
    {
        if (training && random is null)
            throw new ArgumentNullException(nameof(random), "training needs a seeded Random");

        var residual = x.detach();
        var sum = torch.zeros_like(x);
        var commitment = torch.zeros(Array.Empty<long>());
        var codes = torch.full(x.shape[0], LevelCount, -1L, ScalarType.Int64);
        for (int l = 0; l < levelsUsed; l++)
        {
            var codebook = levels[l];
            if (training && !codebook.Initialized) codebook.KMeansInit(residual, random!);
            var idx = codebook.Assign(residual);
            var q = codebook.Lookup(idx);
            if (training)
            {
                codebook.EmaUpdate(residual, idx);
                codebook.ExpireDeadCodes(residual, random!);
            }
            // Commitment pulls the encoder output (with gradient) toward its frozen code.
            var target = l == 0 ? x : x - sum.detach();
            commitment = commitment + F.mse_loss(target, q.detach());
            codes[TensorIndex.Colon, l] = idx;
            sum = sum + q;
            residual = residual - q;
        }
        var quantized = x + (sum - x).detach();
        return new QuantizerOutput(quantized, codes, commitment * CommitmentWeight, levelsUsed);
    }

    /// <summary>Σ of the looked-up codes of the first <paramref name="depth"/> levels. codes: [N, L].</summary>
    public Tensor Decode(Tensor codes, int depth)
    {
        var sum = torch.zeros(codes.shape[0], levels[0].Dim);
        for (int l = 0; l < depth; l++) sum = sum + levels[l].Lookup(codes[TensorIndex.Colon, l]);
        return sum;
    }
}
