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
/// [B, H]; attention runs per key/value head on [B, kv heads, queries per key/value, d]. Every row of the batch goes
/// through the same kernels as it would alone: the weight products are row-wise GEMMs and attention is a batched product of one row per voice,
/// so a voice's logits do not depend on which other voices share the call.
/// </summary>
internal static class PriorEmitter
{
    /// <summary>A block's linear layer as ONNX, in the chosen <see cref="PriorWeights"/>.</summary>
    delegate string Projection(OnnxGraph g, TorchSharp.Modules.Linear linear, string x);

    /// <summary>→ (logits [B, K], this token's keys and values [B, layers, heads, 1, d]).</summary>
    /// <remarks>Per-head values are tiny, so each node costs more in OnnxRuntime's dispatch than in arithmetic: q, k
    /// and v stay one tensor until rotated, the new entries are concatenated straight into the outputs' shape, and what
    /// depends only on the slot (mask, rotary factors) is built once for all layers.</remarks>
    public static (string Logits, string Keys, string Values) Step(OnnxGraph g, CodePrior prior, PriorStepInputs io,
                                                                   PriorWeights weights)
    {
        Projection project = weights == PriorWeights.Int8 ? Layers.LinearInt8 : Layers.Linear;
        string x = SlotInput(g, prior, io.PreviousToken, io.Slot, io.AnchorHistogram);
        // [B, slots] → [B, 1, 1, slots]: the same for every head.
        string mask = g.Op("Unsqueeze", [io.PastMask, g.Constant("axes_1_2", 1, 2)]);
        var rotation = RotaryFactors(g, prior.Blocks[0].Attention, io.RopeCos, io.RopeSin);
        int slots = prior.Config.ContextTokens - 1;
        var keys = new List<string>();
        var values = new List<string>();
        for (int l = 0; l < prior.Blocks.Count; l++)
        {
            (x, string k, string v) = Block(g, project, prior.Blocks[l], x, rotation, io.PastKeys[l], io.PastValues[l],
                                            mask, slots);
            keys.Add(k);
            values.Add(v);
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

    /// <summary>(Cos, Sin) [B, 1, rows, 1, d] with which the rows of q, k and v [B, 1, heads + 2·kv, 1, d] become
    /// rotated and scaled: x·Cos + swap(x)·Sin, where swap exchanges the two halves (<see cref="Rotate"/>). That is the
    /// rotate-half rotary embedding of <see cref="Rotary.Apply"/> for q (times the attention's 1/√d) and k, and
    /// identity for v.</summary>
    static (string Cos, string Sin) RotaryFactors(OnnxGraph g, CausalSelfAttention attention, string cos, string sin)
    {
        int d = attention.HeadDim, heads = attention.Heads, kv = attention.KeyValueHeads, rows = heads + 2 * kv;
        // [B, d/2] twice → [B, 1, 1, 1, d]: cos_j twice, then −sin_j and +sin_j.
        string Columns(string first, string second) =>
            g.Op("Unsqueeze", [g.Op("Concat", [first, second], Attr.Int("axis", 1)), g.Constant("axes_1_2_3", 1, 2, 3)]);
        float[] PerRow(float q, float k, float v) =>
            [.. Enumerable.Repeat(q, heads), .. Enumerable.Repeat(k, kv), .. Enumerable.Repeat(v, kv)];
        string perRow = g.Constant("rotary_row_scale", PerRow(1f / MathF.Sqrt(d), 1f, 0f), rows, 1, 1);
        return (g.Op("Add", [g.Op("Mul", [Columns(cos, cos), perRow]),
                             g.Constant("value_passes", PerRow(0f, 0f, 1f), rows, 1, 1)]),
                g.Op("Mul", [Columns(g.Op("Neg", [sin]), sin), perRow]));
    }

    /// <summary>x·Cos + swap(x)·Sin (<see cref="RotaryFactors"/>); the swap is a product with a permutation, exact.
    /// </summary>
    static string Rotate(OnnxGraph g, string x, int d, (string Cos, string Sin) rotary)
    {
        var swap = new float[d * d];
        for (int row = 0; row < d; row++) swap[row * d + (row + d / 2) % d] = 1;
        string swapped = g.Op("MatMul", [x, g.Constant("swap_halves", swap, d, d)]);
        return g.Op("Add", [g.Op("Mul", [x, rotary.Cos]), g.Op("Mul", [swapped, rotary.Sin])]);
    }

    /// <summary>Pre-norm block: x + attention(ln1(x)), then x + down(gelu(up(ln2(x)))).</summary>
    static (string X, string Key, string Value) Block(OnnxGraph g, Projection project, PriorBlock block, string x,
                                                      (string Cos, string Sin) rotation, string pastKeys, string pastValues,
                                                      string mask, int slots)
    {
        var (y, k, v) = Attention(g, project, block.Attention, Layers.LayerNorm(g, block.Norm1, x), rotation,
                                  pastKeys, pastValues, mask, slots);
        x = g.Op("Add", [x, y]);
        string mlp = project(g, block.Down,
                             Layers.Gelu(g, project(g, block.Up, Layers.LayerNorm(g, block.Norm2, x))));
        return (g.Op("Add", [x, mlp]), k, v);
    }

    /// <summary>Softmax(q·[past; k]ᵀ/√d + mask)·[past; v] per head (q arrives scaled by 1/√d), each key/value head
    /// serving its group of query heads as one product, then the output projection. Returns the rotated key and the
    /// value [B, 1, kv heads, 1, d] for the caller's cache.</summary>
    /// <remarks>The cache is never concatenated with the new token (that would copy every layer's cache each
    /// step): the token's own score and value are handled beside the cache's, which is only read.</remarks>
    static (string Y, string Key, string Value) Attention(OnnxGraph g, Projection project,
                                                          CausalSelfAttention attention, string x,
                                                          (string Cos, string Sin) rotation,
                                                          string pastKeys, string pastValues, string mask,
                                                          int slots)
    {
        int heads = attention.Heads, kv = attention.KeyValueHeads, group = heads / kv, d = attention.HeadDim;
        // [B, (heads + 2·kv)·d] → [B, 1, heads + 2·kv, 1, d]: the trainer's [q | k | v] rows; k and v come out in the
        // shape of a cache entry.
        string qkv = g.Op("Reshape", [project(g, attention.Qkv, x), g.Constant("qkv_shape", 0, 1, heads + 2 * kv, 1, d)]);
        var parts = g.Op("Split", 3, [Rotate(g, qkv, d, rotation), g.Constant("q_k_v_rows", heads, kv, kv)],
                         Attr.Int("axis", 2));
        string k = parts[1], v = parts[2];
        // Query head h reads key/value head h / group: [B, kv, group, d].
        string q = g.Op("Reshape", [parts[0], g.Constant("query_groups", 0, kv, group, d)]);
        string Transposed(string keys) => g.Op("Transpose", [keys], Attr.Ints("perm", 0, 1, 3, 2));

        string pastScores = g.Op("Add", [g.Op("MatMul", [q, Transposed(pastKeys)]), mask]);
        // The token's own key as [B, kv, d, 1] (a reshape: one of its axes has length 1).
        string selfScore = g.Op("MatMul", [q, g.Op("Reshape", [k, g.Constant("key_column", 0, kv, d, 1)])]);
        string scores = g.Op("Concat", [pastScores, selfScore], Attr.Int("axis", -1)); // [B, kv, group, slots + 1]
        var weights = g.Op("Split", 2, [g.Op("Softmax", [scores], Attr.Int("axis", -1)),
                                        g.Constant("past_and_self", (long)slots, 1)],
                           Attr.Int("axis", -1));
        string ownValue = g.Op("Reshape", [v, g.Constant("value_row", 0, kv, 1, d)]);
        string y = g.Op("Add", [g.Op("MatMul", [weights[0], pastValues]), g.Op("Mul", [weights[1], ownValue])]);
        string merged = g.Op("Reshape", [y, g.Constant("hidden_shape", 0, (long)heads * d)]); // [B, heads·d]
        return (project(g, attention.Proj, merged), k, v);
    }
}
