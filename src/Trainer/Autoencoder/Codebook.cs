using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Autoencoder;

/// <summary>
/// One vector-quantization codebook with EMA updates (no codebook loss term): k-means
/// initialisation on the first training batch, Laplace-smoothed cluster sizes, and dead-code
/// replacement from the current batch. All state lives in persistent buffers so checkpoints and
/// export see it.
/// </summary>
public sealed class Codebook : nn.Module
{
    public int Size { get; }
    public int Dim { get; }
    public double Decay { get; }
    public double DeadCodeThreshold { get; }
    public int KMeansIterations { get; }
    const double LaplaceEpsilon = 1e-5;

    readonly Tensor embed, embedAvg, clusterSize, initted;

    public Codebook(int size, int dim, double decay, double deadCodeThreshold, int kmeansIterations = 10)
        : base(nameof(Codebook))
    {
        Size = size; Dim = dim; Decay = decay;
        DeadCodeThreshold = deadCodeThreshold; KMeansIterations = kmeansIterations;
        embed = torch.randn(size, dim);
        embedAvg = embed.clone();
        clusterSize = torch.zeros(size);
        initted = torch.zeros(1);
        register_buffer("embed", embed, persistent: true);
        register_buffer("embed_avg", embedAvg, persistent: true);
        register_buffer("cluster_size", clusterSize, persistent: true);
        register_buffer("initted", initted, persistent: true);
    }

    public Tensor Embed => embed;
    public Tensor ClusterSize => clusterSize;
    public bool Initialized => initted.item<float>() > 0;

    /// <summary>Nearest code (squared Euclidean) for each row of x [N, D].</summary>
    public Tensor Assign(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var dist = x.pow(2).sum(1, keepdim: true) - 2 * x.matmul(embed.t()) + embed.pow(2).sum(1).unsqueeze(0);
        return dist.argmin(1).MoveToOuterDisposeScope();
    }

    public Tensor Lookup(Tensor indices) => embed.index_select(0, indices);

    /// <summary>k-means on a batch: K distinct samples as seeds, then assign/mean iterations;
    /// empty clusters keep their previous mean.</summary>
    public void KMeansInit(Tensor x, Random random)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0];
        var seeds = Tensors.Copy(n >= Size
            ? Distinct(random, n, Size)
            : Enumerable.Range(0, Size).Select(_ => random.NextInt64(n)).ToArray());
        var means = x.index_select(0, seeds);
        var counts = torch.zeros(Size);
        for (int it = 0; it < KMeansIterations; it++)
        {
            embed.copy_(means);
            var idx = Assign(x);
            counts = torch.bincount(idx, null, Size).to(ScalarType.Float32);
            var sums = torch.zeros(Size, Dim).index_add_(0, idx, x, 1);
            var empty = (counts == 0).unsqueeze(1);
            means = torch.where(empty, means, sums / counts.clamp_min(1).unsqueeze(1));
        }
        embed.copy_(means);
        clusterSize.copy_(counts);
        embedAvg.copy_(means * counts.unsqueeze(1));
        initted.fill_(1);
    }

    /// <summary>k distinct indices below n (partial Fisher–Yates). Indices come from a seeded
    /// System.Random rather than torch generators, whose native state TorchSharp's finalizers touch.</summary>
    static long[] Distinct(Random random, long n, int k)
    {
        var pool = new Dictionary<long, long>();
        var picked = new long[k];
        for (int i = 0; i < k; i++)
        {
            long j = i + random.NextInt64(n - i);
            picked[i] = pool.GetValueOrDefault(j, j);
            pool[j] = pool.GetValueOrDefault(i, i);
        }
        return picked;
    }

    /// <summary>EMA update of cluster sizes and sums from one batch and its assignments.</summary>
    public void EmaUpdate(Tensor x, Tensor indices)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var counts = torch.bincount(indices, null, Size).to(ScalarType.Float32);
        var sums = torch.zeros(Size, Dim).index_add_(0, indices, x, 1);
        clusterSize.mul_(Decay).add_(counts, alpha: 1 - Decay);
        embedAvg.mul_(Decay).add_(sums, alpha: 1 - Decay);
        var total = clusterSize.sum();
        var smoothed = (clusterSize + LaplaceEpsilon) / (total + Size * LaplaceEpsilon) * total;
        embed.copy_(embedAvg / smoothed.unsqueeze(1));
    }

    /// <summary>Codes whose EMA cluster size fell below the threshold are re-seeded with random
    /// vectors of the current batch, so the codebook keeps tracking the data. Returns how many.</summary>
    public int ExpireDeadCodes(Tensor x, Random random)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var dead = (clusterSize < DeadCodeThreshold).nonzero().squeeze(1);
        int count = (int)dead.shape[0];
        if (count == 0) return 0;
        var rows = Enumerable.Range(0, count).Select(_ => random.NextInt64(x.shape[0])).ToArray();
        var samples = x.index_select(0, Tensors.Copy(rows));

        embed.index_copy_(0, dead, samples);
        clusterSize.index_fill_(0, dead, DeadCodeThreshold);
        embedAvg.index_copy_(0, dead, samples * DeadCodeThreshold);
        return count;
    }
}
