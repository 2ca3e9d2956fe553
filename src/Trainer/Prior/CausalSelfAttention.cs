using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Prior;

/// <summary>Key/value cache of one attention layer: [B, key/value heads, cached tokens, head dim].</summary>
public sealed class LayerCache
{
    public Tensor? Keys, Values;
}

/// <summary>
/// Grouped-query causal self-attention with rotary position encoding over the *time step* index:
/// attention depends on how many steps apart two tokens are, not on absolute position, so a
/// window can slide past the training context with its cache intact. Each key/value head serves
/// <see cref="PriorConfig.QueriesPerKeyValue"/> adjacent query heads (1: classic multi-head).
/// </summary>
public sealed class CausalSelfAttention : nn.Module
{
    readonly Linear qkv, proj;
    readonly int heads, keyValueHeads, headDim;
    readonly double attentionDropout;

    public CausalSelfAttention(PriorConfig c) : base(nameof(CausalSelfAttention))
    {
        heads = c.Heads; keyValueHeads = c.KeyValueHeads; headDim = c.Hidden / c.Heads;
        attentionDropout = c.AttentionDropout;
        // [q (heads·d) | k (kv·d) | v (kv·d)]: with one key/value per head, the layout of runs before grouping.
        qkv = nn.Linear(c.Hidden, c.Hidden + 2 * keyValueHeads * headDim);
        proj = nn.Linear(c.Hidden, c.Hidden);
        RegisterComponents();
    }

    // For the ONNX exporter.
    internal Linear Qkv => qkv;
    internal Linear Proj => proj;
    internal int Heads => heads;
    internal int KeyValueHeads => keyValueHeads;
    internal int HeadDim => headDim;

    /// <summary>→ q [B, heads, N, d], k and v [B, kv heads, N, d].</summary>
    (Tensor Q, Tensor K, Tensor V) Project(Tensor x, Tensor cos, Tensor sin)
    {
        long b = x.shape[0], n = x.shape[1];
        var y = qkv.call(x);
        Tensor Part(long offset, int count) =>
            y.narrow(-1, offset, count * headDim).view(b, n, count, headDim).transpose(1, 2);
        long kvWidth = keyValueHeads * headDim;
        return (Rotary.Apply(Part(0, heads), cos, sin), Rotary.Apply(Part(heads * headDim, keyValueHeads), cos, sin),
                Part(heads * headDim + kvWidth, keyValueHeads));
    }

    /// <summary>Keys or values [B, kv heads, N, d] → [B, heads, N, d]: query head h reads key/value head
    /// h / <see cref="PriorConfig.QueriesPerKeyValue"/>.</summary>
    Tensor PerQueryHead(Tensor t) =>
        keyValueHeads == heads ? t : t.repeat_interleave(heads / keyValueHeads, dim: 1);

    Tensor Merge(Tensor y) => proj.call(y.transpose(1, 2).reshape(y.shape[0], y.shape[2], heads * headDim));

    /// <summary>Full causal pass. x [B, N, H]; cos/sin [N, d/2] for each token's time step. Training with dropout on
    /// the attention weights (<see cref="PriorConfig.AttentionDropout"/>) makes libtorch materialise [B, heads, N, N];
    /// otherwise (no such dropout, or evaluation) it runs its fused causal kernel, 2.6× faster.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, bool training)
    {
        var (q, k, v) = Project(x, cos, sin);
        k = PerQueryHead(k);
        v = PerQueryHead(v);
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
        return Merge(F.scaled_dot_product_attention(q, PerQueryHead(keys), PerQueryHead(values), null, 0.0,
                                                    is_casual: false));
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
