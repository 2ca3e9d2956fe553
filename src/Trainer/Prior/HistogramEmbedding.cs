using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Distill.Trainer.Prior;

/// <summary>
/// The anchored prior's condition: an anchor's code histogram [B, levels·K] (<see cref="Runtime.Engine.AnchorHistogram"/>)
/// through Linear(L·K → H), GELU, Linear(H → H), a vector added to every slot's input, so the prior knows which sound
/// it continues. A histogram describes any clip, seen in training or not, and two of them blend (morph).
/// </summary>
public sealed class HistogramEmbedding : nn.Module
{
    readonly Linear first, second;

    public HistogramEmbedding(PriorConfig c) : base(nameof(HistogramEmbedding))
    {
        first = nn.Linear(c.Levels * c.CodebookSize, c.Hidden);
        second = nn.Linear(c.Hidden, c.Hidden);
        RegisterComponents();
    }

    internal Linear First => first;
    internal Linear Second => second;

    /// <summary>[B, L·K] → [B, H].</summary>
    public Tensor Forward(Tensor histogram) => second.call(F.gelu(first.call(histogram)));
}
