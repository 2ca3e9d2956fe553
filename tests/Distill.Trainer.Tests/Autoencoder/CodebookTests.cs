using Distill.Trainer.Autoencoder;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class CodebookTests
{
    static Tensor T(float[,] rows) => torch.tensor(rows);

    public CodebookTests() => TorchThreads.Use(1);

    [Fact]
    public void AssignPicksNearestCodeBySquaredDistance()
    {
        var cb = new Codebook(3, 2, 0.8, 1.0);
        using (torch.no_grad()) cb.Embed.copy_(T(new float[,] { { 0, 0 }, { 10, 0 }, { 0, 10 } }));
        var idx = cb.Assign(T(new float[,] { { 1, 1 }, { 9, -1 }, { -1, 8 }, { 4, 4 } })).data<long>().ToArray();
        Assert.Equal(new long[] { 0, 1, 2, 0 }, idx);
    }

    [Fact]
    public void KMeansInitFindsSeparatedClustersAndSetsCountsAndSums()
    {
        torch.manual_seed(3);
        var centers = new float[,] { { -5, -5 }, { 5, 5 } };
        var x = torch.cat(Enumerable.Range(0, 2).Select(c =>
            torch.randn(50, 2) * 0.1f + torch.tensor(new[] { centers[c, 0], centers[c, 1] })).ToArray(), 0);
        var cb = new Codebook(2, 2, 0.8, 1.0);
        Assert.False(cb.Initialized);
        cb.KMeansInit(x, new Random(1));
        Assert.True(cb.Initialized);
        var embed = cb.Embed.data<float>().ToArray();
        for (int c = 0; c < 2; c++)
        {
            // Each true centre has exactly one code within 0.1 of it, holding its 50 points.
            int k = Enumerable.Range(0, 2).Single(k => Math.Abs(embed[2 * k] - centers[c, 0]) < 0.1 && Math.Abs(embed[2 * k + 1] - centers[c, 1]) < 0.1);
            Assert.Equal(50f, cb.ClusterSize[k].item<float>());
        }
        var embedAvg = cb.state_dict()["embed_avg"];
        Assert.True(torch.allclose(embedAvg, cb.Embed * cb.ClusterSize.unsqueeze(1), 1e-5, 1e-5));
    }

    [Fact]
    public void KMeansInitEndsWithEachCodeAtTheMeanOfItsPoints()
    {
        torch.manual_seed(4);
        var x = torch.randn(300, 3);
        var cb = new Codebook(8, 3, 0.8, 1.0, kmeansIterations: 30);
        cb.KMeansInit(x, new Random(1));
        var idx = cb.Assign(x);
        for (int k = 0; k < 8; k++)
        {
            var members = x.index_select(0, (idx == k).nonzero().squeeze(1));
            Assert.True(members.shape[0] > 0);
            Assert.True(torch.allclose(members.mean(new long[] { 0 }), cb.Embed[k], 1e-4, 1e-4), $"code {k}");
        }
    }

    [Fact]
    public void EmaUpdateFollowsTheLaplaceSmoothedFormula()
    {
        const double g = 0.8, eps = 1e-5;
        var cb = new Codebook(3, 2, g, 0.0);
        var state = cb.state_dict();
        using (torch.no_grad())
        {
            state["cluster_size"].copy_(torch.tensor(new float[] { 4, 2, 0 }));
            state["embed_avg"].copy_(T(new float[,] { { 4, 8 }, { -2, 2 }, { 0, 0 } }));
        }
        var x = T(new float[,] { { 1, 1 }, { 3, 1 }, { 0, 2 } });
        cb.EmaUpdate(x, torch.tensor(new long[] { 0, 0, 1 }));

        double[] n = { g * 4 + (1 - g) * 2, g * 2 + (1 - g) * 1, 0 };
        double[,] m = { { g * 4 + (1 - g) * 4, g * 8 + (1 - g) * 2 }, { g * -2 + (1 - g) * 0, g * 2 + (1 - g) * 2 }, { 0, 0 } };
        double total = n.Sum();
        var cluster = cb.ClusterSize.data<float>().ToArray();
        var embed = cb.Embed.data<float>().ToArray();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(n[k], cluster[k], 5);
            double smoothed = (n[k] + eps) / (total + 3 * eps) * total;
            for (int d = 0; d < 2; d++) Assert.Equal(m[k, d] / smoothed, embed[2 * k + d], 4);
        }
    }

    [Fact]
    public void DeadCodesAreReplacedByBatchVectors()
    {
        torch.manual_seed(5);
        var cb = new Codebook(4, 2, 0.8, deadCodeThreshold: 1.5);
        var state = cb.state_dict();
        var before = T(new float[,] { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 4, 4 } });
        using (torch.no_grad())
        {
            cb.Embed.copy_(before);
            state["cluster_size"].copy_(torch.tensor(new float[] { 5, 0.2f, 3, 1.0f }));
        }
        var x = T(new float[,] { { 10, 11 }, { 20, 21 }, { 30, 31 } });
        Assert.Equal(2, cb.ExpireDeadCodes(x, new Random(1)));

        var rows = x.data<float>().ToArray().Chunk(2).Select(r => (r[0], r[1])).ToHashSet();
        var embed = cb.Embed.data<float>().ToArray();
        Assert.Equal((1f, 1f), (embed[0], embed[1]));
        Assert.Equal((3f, 3f), (embed[4], embed[5]));
        Assert.Contains((embed[2], embed[3]), rows);
        Assert.Contains((embed[6], embed[7]), rows);
        Assert.Equal(new float[] { 5, 1.5f, 3, 1.5f }, cb.ClusterSize.data<float>().ToArray());
        Assert.True(torch.allclose(state["embed_avg"][1], cb.Embed[1] * 1.5f));
    }
}
