using Distill.Trainer.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Prior;

/// <summary>Cache for stepping the prior one token at a time.</summary>
public sealed class PriorCache(int layers)
{
    public readonly LayerCache[] Layers = Enumerable.Range(0, layers).Select(_ => new LayerCache()).ToArray();
    /// <summary>Slot index of the next token to predict (0 = first token of the sequence).</summary>
    public long NextSlot;
}

/// <summary>
/// GPT-style decoder-only Transformer over flattened RVQ codes. The input at slot i is the previous
/// token (slot 0: a learned start vector) embedded by its level's table, plus embeddings of the
/// level and frequency position that slot i predicts; time enters through rotary attention.
/// </summary>
public sealed class CodePrior : nn.Module
{
    public PriorConfig Config { get; }
    // One table of K rows per level, stored as one [L·K, H] matrix indexed by level·K + code.
    readonly Embedding tokens, levelEmbedding, frequencyEmbedding;
    readonly HistogramEmbedding anchor;
    readonly Parameter start;
    readonly ModuleList<PriorBlock> blocks;
    readonly LayerNorm lnFinal;
    readonly Linear head;

    public CodePrior(PriorConfig c) : base(nameof(CodePrior))
    {
        Config = c;
        tokens = nn.Embedding(c.Levels * c.CodebookSize, c.Hidden);
        levelEmbedding = nn.Embedding(c.Levels, c.Hidden);
        frequencyEmbedding = nn.Embedding(c.FrequencyPositions, c.Hidden);
        anchor = new HistogramEmbedding(c);
        start = nn.Parameter(torch.randn(c.Hidden) * 0.02f);
        blocks = new ModuleList<PriorBlock>(Enumerable.Range(0, c.Layers).Select(_ => new PriorBlock(c)).ToArray());
        lnFinal = nn.LayerNorm(c.Hidden);
        head = nn.Linear(c.Hidden, c.CodebookSize);
        RegisterComponents();
    }

    // For the ONNX exporter (which reads the start vector as parameter "start").
    internal Embedding Tokens => tokens;
    internal Embedding LevelEmbedding => levelEmbedding;
    internal Embedding FrequencyEmbedding => frequencyEmbedding;
    internal HistogramEmbedding Anchor => anchor;
    internal IList<PriorBlock> Blocks => blocks;
    internal LayerNorm FinalNorm => lnFinal;
    internal Linear Head => head;

    /// <summary>Embedding of each slot's context: level and frequency of the slot it predicts.</summary>
    Tensor SlotEmbedding(Tensor slots) =>
        levelEmbedding.call(slots % Config.Levels)
        + frequencyEmbedding.call(slots.floor_divide(Config.Levels) % Config.FrequencyPositions);

    Tensor TokenEmbedding(Tensor codes, Tensor slots) =>
        tokens.call(codes + slots % Config.Levels * Config.CodebookSize);

    /// <summary>[B, 1, H]: the anchor's condition, added to every slot (zeros histogram when none is given).</summary>
    Tensor Condition(Tensor? histogram, long batch) =>
        anchor.Forward(histogram ?? torch.zeros(batch, Config.Levels * Config.CodebookSize)).unsqueeze(1);

    /// <summary>Next-token logits for every slot: tokens [B, N] (codes in flattening order starting at
    /// slot <paramref name="firstSlot"/>, which must be 0 or a time-step boundary) → [B, N, K], where
    /// logits[i] predicts tokens[i] from tokens[&lt; i] and the anchor <paramref name="histogram"/> [B, L·K]
    /// (null: none).</summary>
    public Tensor Forward(Tensor tokenIds, Tensor? histogram = null, bool training = false, long firstSlot = 0)
    {
        long b = tokenIds.shape[0], n = tokenIds.shape[1];
        var slots = torch.arange(firstSlot, firstSlot + n, dtype: ScalarType.Int64);
        var previous = TokenEmbedding(tokenIds.narrow(1, 0, n - 1), slots.narrow(0, 0, n - 1));
        var x = torch.cat(new[] { start.expand(b, 1, Config.Hidden), previous }, 1) + SlotEmbedding(slots)
                + Condition(histogram, b);
        var (cos, sin) = Rotary.Angles(slots.floor_divide(Config.TokensPerStep), Config.Hidden / Config.Heads,
                                       Config.RopeBase);
        x = F.dropout(x, Config.Dropout, training);
        foreach (var block in blocks) x = block.Forward(x, cos, sin, training);
        return head.call(lnFinal.call(x));
    }

    /// <summary>Logits [B, K] for the next slot given the previous token [B] (ignored at slot 0),
    /// updating the cache. Equals the corresponding row of <see cref="Forward"/> while the sequence
    /// fits the window.</summary>
    public Tensor Step(Tensor previousToken, PriorCache cache, int? window = null, Tensor? histogram = null)
    {
        long slot = cache.NextSlot;
        var slotT = Tensors.Copy(new[] { slot });
        var x = slot == 0
            ? start.expand(previousToken.shape[0], 1, Config.Hidden)
            : TokenEmbedding(previousToken, slotT - 1).unsqueeze(1);
        x = x + SlotEmbedding(slotT) + Condition(histogram, previousToken.shape[0]);
        var (cos, sin) = Rotary.Angles(slotT.floor_divide(Config.TokensPerStep), Config.Hidden / Config.Heads,
                                       Config.RopeBase);

        int w = window ?? Config.ContextTokens;
        for (int l = 0; l < blocks.Count; l++) x = blocks[l].Step(x, cos, sin, cache.Layers[l], w);
        cache.NextSlot++;
        return head.call(lnFinal.call(x)).squeeze(1);
    }
}
