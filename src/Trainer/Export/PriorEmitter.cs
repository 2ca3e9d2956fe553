using Distill.Trainer.Prior;


namespace Distill.Trainer.Export;

/// <summary>How the prior's block weights are stored: float, or int8 (about a quarter of the bytes to read per
/// step; on a trained prior its logits stay within 0.1 of the float graph's, total variation below 0.02, the same
/// argmax for ≥ 99 % of tokens, as PriorStepExportTests checks). The embeddings and the logits' head stay float.</summary>
public enum PriorWeights { Float32, Int8 }

/// <summary>Values a prior step reads: the caller's rotary angles and ring cache, one key and one value input
/// per layer.</summary>
internal sealed record PriorStepInputs(string PreviousToken, string Slot, string RopeCos, string RopeSin,
                                       IReadOnlyList<string> PastKeys, IReadOnlyList<string> PastValues,
                                       string PastMask, string AnchorHistogram);

/// <summary>
/// ONNX for one token of <see cref="CodePrior.Step"/> per voice of a batch, over ring caches the caller keeps:
/// past keys (already rotated) and values of every layer in any slot order, masked where empty. Activations are
/// [B, H] and per-head tensors [B, heads, tokens, d]. Every row of the batch goes through the same kernels as it
/// would alone: the weight products are row-wise GEMMs and attention is a batched product of one row per voice,
/// so a voice's logits do not depend on which other voices share the call.
/// </summary>
internal static class PriorEmitter
{
    /// <summary>A block's linear layer as ONNX, in the chosen <see cref="PriorWeights"/>.</summary>
    delegate string Projection(OnnxGraph g, TorchSharp.Modules.Linear linear, string x);

    /// <summary>→ (logits [B, K], this token's keys and values [B, layers, heads, 1, d]).</summary>
    public static (string Logits, string Keys, string Values) Step(OnnxGraph g, CodePrior prior, PriorStepInputs io,
                                                                   PriorWeights weights)
    {
        Projection project = weights == PriorWeights.Int8 ? Layers.LinearInt8 : Layers.Linear;
        string x = SlotInput(g, prior, io.PreviousToken, io.Slot, io.AnchorHistogram);
        // The token always sees itself: mask 0 after the cache's slots, [B, 1, 1, slots + 1] for every head.
        string mask = g.Op("Unsqueeze", [g.Op("Pad", [io.PastMask, g.Constant("self_mask_pads", 0, 0, 0, 1)]),
                                         g.Constant("axes_1_2", 1, 2)]);
        // [B, d/2] → [B, 1, 1, d/2]: one angle per voice, the same for every head.
        var rope = (Cos: g.Op("Unsqueeze", [io.RopeCos, g.Constant("axes_1_2", 1, 2)]),
                    Sin: g.Op("Unsqueeze", [io.RopeSin, g.Constant("axes_1_2", 1, 2)]));
        var keys = new List<string>();
        var values = new List<string>();
        for (int l = 0; l < prior.Blocks.Count; l++)
        {
            (x, string k, string v) = Block(g, project, prior.Blocks[l], x, rope, io.PastKeys[l], io.PastValues[l],
                                            mask);
            keys.Add(g.Op("Unsqueeze", [k, g.Constant("axis_1", 1L)]));
            values.Add(g.Op("Unsqueeze", [v, g.Constant("axis_1", 1L)]));
        }
        string logits = Layers.Linear(g, prior.Head, Layers.LayerNorm(g, prior.FinalNorm, x));
        return (logits, g.Op("Concat", [.. keys], Attr.Int("axis", 1)),
                g.Op("Concat", [.. values], Attr.Int("axis", 1)));
    }

    /// <summary>[B, H]: the previous token embedded by its level's table (the start vector at slot 0)
    /// plus the embeddings of the level and frequency position this slot predicts, plus the anchor's condition
    /// (<see cref="HistogramEmbedding"/> of the histogram).</summary>
    static string SlotInput(OnnxGraph g, CodePrior prior, string previousToken, string slot, string histogram)
    {
        var c = prior.Config;
        string levels = g.Constant("levels", (long)c.Levels);
        string level = g.Op("Mod", [slot, levels]);
        string frequency = g.Op("Mod", [g.Op("Div", [slot, levels]),
                                        g.Constant("frequency_positions", (long)c.FrequencyPositions)]);
        // Rows l·K + code of the token table, then the start vector as one extra row. The previous
        // slot's level is (slot + L − 1) mod L, which stays non-negative at slot 0 where it is unused.
        string previousLevel = g.Op("Mod", [g.Op("Add", [slot, g.Constant("levels_minus_one", (long)c.Levels - 1)]),
                                            levels]);
        string tokenRow = g.Op("Add", [
            previousToken, g.Op("Mul", [previousLevel, g.Constant("codebook_size", (long)c.CodebookSize)])]);
        string isFirst = g.Op("Equal", [slot, g.Constant("zero", 0L)]);
        string row = g.Op("Where", [isFirst, g.Constant("start_row", (long)c.Levels * c.CodebookSize), tokenRow]);
        string start = g.Op("Unsqueeze", [g.Weight(prior, "start"), g.Constant("axis_0", 0L)]);
        string table = g.Op("Concat", [g.Weight(prior.Tokens, "weight"), start], Attr.Int("axis", 0));
        string context = g.Op("Add", [Layers.Embedding(g, prior.LevelEmbedding, level),
                                      Layers.Embedding(g, prior.FrequencyEmbedding, frequency)]);
        string anchor = Layers.Linear(g, prior.Anchor.Second, Layers.Gelu(g, Layers.Linear(g, prior.Anchor.First, histogram)));
        return g.Op("Add", [g.Op("Add", [g.Op("Gather", [table, row]), context]), anchor]);
    }

    /// <summary>Pre-norm block: x + attention(ln1(x)), then x + down(gelu(up(ln2(x)))).</summary>
    static (string X, string Key, string Value) Block(OnnxGraph g, Projection project, PriorBlock block, string x,
                                                      (string Cos, string Sin) rope, string pastKeys,
                                                      string pastValues, string mask)
    {
        var (y, k, v) = Attention(g, project, block.Attention, Layers.LayerNorm(g, block.Norm1, x), rope, pastKeys,
                                  pastValues, mask);
        x = g.Op("Add", [x, y]);
        string mlp = project(g, block.Down,
                             Layers.Gelu(g, project(g, block.Up, Layers.LayerNorm(g, block.Norm2, x))));
        return (g.Op("Add", [x, mlp]), k, v);
    }

    /// <summary>Softmax(q·[past; k]ᵀ/√d + mask)·[past; v] per head, then the output projection. Returns the
    /// rotated key and the value [B, heads, 1, d] for the caller's cache.</summary>
    /// <remarks>The cache is never concatenated with the new token (that would copy every layer's cache each
    /// step): the token's own score and value are handled beside the cache's, which is only read.</remarks>
    static (string Y, string Key, string Value) Attention(OnnxGraph g, Projection project,
                                                          CausalSelfAttention attention, string x,
                                                          (string Cos, string Sin) rope, string pastKeys,
                                                          string pastValues, string mask)
    {
        int heads = attention.Heads, d = attention.HeadDim;
        // [B, 3H] → [B, 3, heads, 1, d]: the trainer's view(B, 1, 3, heads, d) order, with the token axis moved.
        string qkv = g.Op("Reshape", [project(g, attention.Qkv, x), g.Constant("qkv_shape", 0, 3, heads, 1, d)]);
        var parts = g.Op("Split", 3, [qkv], Attr.Int("axis", 1), Attr.Int("num_outputs", 3)); // [B, 1, heads, 1, d]
        string Part(int i) => g.Op("Squeeze", [parts[i], g.Constant("axis_1", 1L)]);            // [B, heads, 1, d]
        string q = Rotate(g, Part(0), rope), k = Rotate(g, Part(1), rope), v = Part(2);

        string pastScores = g.Op("MatMul", [q, g.Op("Transpose", [pastKeys], Attr.Ints("perm", 0, 1, 3, 2))]);
        string selfScore = g.Op("ReduceSum", [g.Op("Mul", [q, k]), g.Constant("axis_last", -1L)],
                                Attr.Int("keepdims", 1));
        string scores = g.Op("Concat", [pastScores, selfScore], Attr.Int("axis", -1)); // [B, heads, 1, slots + 1]
        scores = g.Op("Add", [g.Op("Mul", [scores, g.Constant("attention_scale", 1f / MathF.Sqrt(d))]), mask]);
        string weights = g.Op("Softmax", [scores], Attr.Int("axis", -1));
        string pastWeights = LastAxis(g, weights, 0, -1), selfWeight = LastAxis(g, weights, -1, long.MaxValue);
        string y = g.Op("Add", [g.Op("MatMul", [pastWeights, pastValues]), g.Op("Mul", [selfWeight, v])]);
        string merged = g.Op("Reshape", [y, g.Constant("hidden_shape", 0, (long)heads * d)]); // [B, heads·d]
        return (project(g, attention.Proj, merged), k, v);
    }

    /// <summary>Elements [start, end) of the last axis; negative positions count from its end.</summary>
    static string LastAxis(OnnxGraph g, string x, long start, long end) =>
        g.Op("Slice", [x, g.Constant("slice_start", start), g.Constant("slice_end", end),
                       g.Constant("axis_last", -1L)]);

    /// <summary>Rotary embedding, rotate-half form as <see cref="Rotary.Apply"/>; cos/sin [B, 1, 1, d/2].</summary>
    static string Rotate(OnnxGraph g, string x, (string Cos, string Sin) rope)
    {
        var half = g.Op("Split", 2, [x], Attr.Int("axis", -1), Attr.Int("num_outputs", 2));
        string Mul(string a, string b) => g.Op("Mul", [a, b]);
        return g.Op("Concat", [g.Op("Sub", [Mul(half[0], rope.Cos), Mul(half[1], rope.Sin)]),
                               g.Op("Add", [Mul(half[0], rope.Sin), Mul(half[1], rope.Cos)])],
                    Attr.Int("axis", -1));
    }
}
