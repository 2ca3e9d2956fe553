using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Prior;

/// <summary>Pre-norm Transformer block: x + attn(ln(x)), then x + mlp(ln(x)).</summary>
public sealed class PriorBlock : nn.Module
{
    readonly LayerNorm ln1, ln2;
    readonly CausalSelfAttention attention;
    readonly Linear up, down;
    readonly double dropout;

    public PriorBlock(PriorConfig c) : base(nameof(PriorBlock))
    {
        ln1 = nn.LayerNorm(c.Hidden);
        attention = new CausalSelfAttention(c);
        ln2 = nn.LayerNorm(c.Hidden);
        up = nn.Linear(c.Hidden, c.FeedForward);
        down = nn.Linear(c.FeedForward, c.Hidden);
        dropout = c.Dropout;
        RegisterComponents();
    }

    // Layers in forward order, for the ONNX exporter.
    internal LayerNorm Norm1 => ln1;
    internal CausalSelfAttention Attention => attention;
    internal LayerNorm Norm2 => ln2;
    internal Linear Up => up;
    internal Linear Down => down;

    Tensor Mlp(Tensor x, bool training) => F.dropout(down.call(F.gelu(up.call(ln2.call(x)))), dropout, training);

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, bool training)
    {
        x = x + F.dropout(attention.Forward(ln1.call(x), cos, sin, training), dropout, training);
        return x + Mlp(x, training);
    }

    public Tensor Step(Tensor x, Tensor cos, Tensor sin, LayerCache cache, int window)
    {
        x = x + attention.Step(ln1.call(x), cos, sin, cache, window);
        return x + Mlp(x, training: false);
    }
}
