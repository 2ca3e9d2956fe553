using Distill.Trainer.Prior;


namespace Distill.Trainer.Export;

/// <summary>Values a prior step reads: the caller's rotary angles and ring cache.</summary>
internal sealed record PriorStepInputs(string PreviousToken, string Slot, string RopeCos, string RopeSin,
                                       string PastKeys, string PastValues, string PastMask, string AnchorHistogram);

/// <summary>
/// ONNX for one token of <see cref="CodePrior.Step"/> over a ring cache the caller keeps: past keys
/// (already rotated) and values of every layer in any slot order, masked where empty. Everything is
/// batch 1 and one token, so activations are [1, H] and per-head tensors [1, heads, tokens, d].
/// </summary>
internal static class PriorEmitter
{
    /// <summary>→ (logits [1, K], this token's keys and values [layers, heads, 1, d]).</summary>
    public static (string Logits, string Keys, string Values) Step(OnnxGraph g, CodePrior prior, PriorStepInputs io)
    {
        string x = SlotInput(g, prior, io.PreviousToken, io.Slot, io.AnchorHistogram);
        // The token always sees itself: mask 0 appended after the cache's slots.
        string mask = g.Op("Concat", [io.PastMask, g.Constant("self_mask", new[] { 0f })], Attr.Int("axis", 0));
        var keys = new List<string>();
        var values = new List<string>();
        for (int l = 0; l < prior.Blocks.Count; l++)
        {
            string layer = g.Constant("layer", (long)l);
            string pastKeys = g.Op("Gather", [io.PastKeys, layer], Attr.Int("axis", 0)); // [1, heads, slots, d]
            string pastValues = g.Op("Gather", [io.PastValues, layer], Attr.Int("axis", 0));
            (x, string k, string v) = Block(g, prior.Blocks[l], x, io, pastKeys, pastValues, mask);
            keys.Add(k);
            values.Add(v);
        }
        string logits = Layers.Linear(g, prior.Head, Layers.LayerNorm(g, prior.FinalNorm, x));
        return (logits, g.Op("Concat", [.. keys], Attr.Int("axis", 0)),
                g.Op("Concat", [.. values], Attr.Int("axis", 0)));
    }

    /// <summary>[1, H]: the previous token embedded by its level's table (the start vector at slot 0)
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
    static (string X, string Key, string Value) Block(OnnxGraph g, PriorBlock block, string x, PriorStepInputs io,
                                                      string pastKeys, string pastValues, string mask)
    {
        var (y, k, v) = Attention(g, block.Attention, Layers.LayerNorm(g, block.Norm1, x), io, pastKeys, pastValues,
                                  mask);
        x = g.Op("Add", [x, y]);
        string mlp = Layers.Linear(g, block.Down,
                                   Layers.Gelu(g, Layers.Linear(g, block.Up, Layers.LayerNorm(g, block.Norm2, x))));
        return (g.Op("Add", [x, mlp]), k, v);
    }

    /// <summary>Softmax(q·[past; k]ᵀ/√d + mask)·[past; v] per head, then the output projection.
    /// Returns the rotated key and the value for the caller's cache.</summary>
    static (string Y, string Key, string Value) Attention(OnnxGraph g, CausalSelfAttention attention, string x,
                                                          PriorStepInputs io, string pastKeys, string pastValues,
                                                          string mask)
    {
        int heads = attention.Heads, d = attention.HeadDim;
        // [1, 3H] → [3, heads, 1, d]: the trainer's view(1, 1, 3, heads, d) order, with the token axis moved.
        string qkv = g.Op("Reshape", [Layers.Linear(g, attention.Qkv, x), g.Constant("qkv_shape", 3, heads, 1, d)]);
        var parts = g.Op("Split", 3, [qkv], Attr.Int("axis", 0), Attr.Int("num_outputs", 3)); // each [1, heads, 1, d]
        string q = Rotate(g, parts[0], io), k = Rotate(g, parts[1], io), v = parts[2];
        string keys = g.Op("Concat", [pastKeys, k], Attr.Int("axis", 2));       // [1, heads, slots + 1, d]
        string values = g.Op("Concat", [pastValues, v], Attr.Int("axis", 2));
        // [1, heads, 1, slots + 1]
        string scores = g.Op("MatMul", [q, g.Op("Transpose", [keys], Attr.Ints("perm", 0, 1, 3, 2))]);

        scores = g.Op("Add", [g.Op("Mul", [scores, g.Constant("attention_scale", 1f / MathF.Sqrt(d))]), mask]);
        string y = g.Op("MatMul", [g.Op("Softmax", [scores], Attr.Int("axis", -1)), values]); // [1, heads, 1, d]
        string merged = g.Op("Reshape", [y, g.Constant("hidden_shape", 1, (long)heads * d)]);
        return (Layers.Linear(g, attention.Proj, merged), k, v);
    }

    /// <summary>Rotary embedding, rotate-half form as <see cref="Rotary.Apply"/>; cos/sin [1, d/2].</summary>
    static string Rotate(OnnxGraph g, string x, PriorStepInputs io)
    {
        var half = g.Op("Split", 2, [x], Attr.Int("axis", -1), Attr.Int("num_outputs", 2));
        string Mul(string a, string b) => g.Op("Mul", [a, b]);
        return g.Op("Concat", [g.Op("Sub", [Mul(half[0], io.RopeCos), Mul(half[1], io.RopeSin)]),
                               g.Op("Add", [Mul(half[0], io.RopeSin), Mul(half[1], io.RopeCos)])],
                    Attr.Int("axis", -1));

    }
}
