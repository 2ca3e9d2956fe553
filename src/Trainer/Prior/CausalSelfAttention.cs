using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Prior;

/// <summary>Key/value cache of one attention layer: [B, heads, cached tokens, head dim].</summary>
public sealed class LayerCache
{
    public Tensor? Keys, Values;
}

/// <summary>
/// Multi-head causal self-attention with rotary position encoding over the *time step* index:
/// attention depends on how many steps apart two tokens are, not on absolute position, so a
/// window can slide past the training context with its cache intact.
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
    readonly Linear qkv, proj;
    readonly int heads, headDim;
    readonly double attentionDropout;

    public CausalSelfAttention(PriorConfig c) : base(nameof(CausalSelfAttention))
    {
        heads = c.Heads; headDim = c.Hidden / c.Heads; attentionDropout = c.AttentionDropout;
        qkv = nn.Linear(c.Hidden, 3 * c.Hidden);
        proj = nn.Linear(c.Hidden, c.Hidden);
        RegisterComponents();
    }

    // For the ONNX exporter.
    internal Linear Qkv => qkv;
    internal Linear Proj => proj;
    internal int Heads => heads;
    internal int HeadDim => headDim;

    (Tensor Q, Tensor K, Tensor V) Project(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0], n = x.shape[1];
        var parts = qkv.call(x).view(b, n, 3, heads, headDim).permute(2, 0, 3, 1, 4); // [3, B, h, N, d]
        return (Rotary.Apply(parts[0], cos, sin), Rotary.Apply(parts[1], cos, sin), parts[2]);
    }

    Tensor Merge(Tensor y) => proj.call(y.transpose(1, 2).reshape(y.shape[0], y.shape[2], heads * headDim));

    /// <summary>Full causal pass. x [B, N, H]; cos/sin [N, d/2] for each token's time step. Training with dropout on
    /// the attention weights (<see cref="PriorConfig.AttentionDropout"/>) makes libtorch materialise [B, heads, N, N];
    /// otherwise (no such dropout, or evaluation) it runs its fused causal kernel, 2.6× faster.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, bool training)
    {
        var (q, k, v) = Project(x, cos, sin);
        if (!training || attentionDropout == 0)
            return Merge(F.scaled_dot_product_attention(q, k, v, null, 0.0, is_casual: true));
        var mask = torch.ones(x.shape[1], x.shape[1], ScalarType.Bool).tril(); // explicit causal mask
        var y = F.scaled_dot_product_attention(q, k, v, mask, attentionDropout, is_casual: false);
        return Merge(y);
    }

    /// <summary>One new token x [B, 1, H] attending to the cache plus itself; appends to the cache and
    /// keeps only the last <paramref name="window"/> tokens.</summary>
    public Tensor Step(Tensor x, Tensor cos, Tensor sin, LayerCache cache, int window)
    {
        var (q, k, v) = Project(x, cos, sin);
        var keys = cache.Keys is null ? k : torch.cat(new[] { cache.Keys, k }, 2);
        var values = cache.Values is null ? v : torch.cat(new[] { cache.Values, v }, 2);
        if (keys.shape[2] > window)
        {
            keys = keys.narrow(2, keys.shape[2] - window, window);
            values = values.narrow(2, values.shape[2] - window, window);
        }
        cache.Keys = keys.MoveToOuterDisposeScope();
        cache.Values = values.MoveToOuterDisposeScope();
        return Merge(F.scaled_dot_product_attention(q, keys, values, null, 0.0, is_casual: false));
    }
}

/// <summary>Rotary embedding (rotate-half form): pairs (x_i, x_{i+d/2}) rotated by angle t·base^(−2i/d).</summary>
public static class Rotary
{
    public static (Tensor Cos, Tensor Sin) Angles(Tensor timeSteps, int headDim, double ropeBase)
    {
        var inv = torch.pow(ropeBase, -torch.arange(0, headDim / 2, dtype: ScalarType.Float64) * 2.0 / headDim);
        var angles = timeSteps.to(ScalarType.Float64).unsqueeze(1) * inv.unsqueeze(0); // [N, d/2]
        return (angles.cos().to(ScalarType.Float32), angles.sin().to(ScalarType.Float32));
    }

    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return torch.cat(new[] { x1 * cos - x2 * sin, x1 * sin + x2 * cos }, -1);
    }
}
