using Distill.Runtime.Bundle;
using DataType = Distill.Trainer.Export.Onnx.TensorProto.Types.DataType;

namespace Distill.Trainer.Export;

/// <summary>The state of a streamed decoder graph: for each time-causal layer, its last input frames, which the
/// graph takes as <see cref="WorldGraphs.Decoder.StateIn"/> i and returns updated as
/// <see cref="WorldGraphs.Decoder.StateOut"/> i, in layer order. <see cref="Shapes"/> go into the manifest.</summary>
internal sealed class DecoderStream(OnnxGraph g, int frequency)
{
    readonly List<long[]> shapes = [];

    /// <summary>Frequency positions at the layer being emitted.</summary>
    public int Frequency { get; set; } = frequency;
    public IReadOnlyList<long[]> Shapes => shapes;

    /// <summary>The carried <paramref name="frames"/> frames of a layer's input, followed by
    /// <paramref name="chunk"/> [1, channels, F, n]; the last <paramref name="frames"/> of that become the
    /// state after this chunk.</summary>
    public string Carry(string chunk, long channels, long frames)
    {
        int i = shapes.Count;
        long[] shape = [1, channels, Frequency, frames];
        shapes.Add(shape);
        string state = g.Input(WorldGraphs.Decoder.StateIn(i), DataType.Float, [.. shape.Select(d => (Dim)d)]);
        string joined = g.Op("Concat", [state, chunk], Attr.Int("axis", 3));
        g.Output(WorldGraphs.Decoder.StateOut(i),
                 g.Op("Slice", [joined, g.Constant($"last_{frames}", -frames), g.Constant("end", long.MaxValue),
                                g.Constant("axis_3", 3L)]),
                 DataType.Float, [.. shape.Select(d => (Dim)d)]);
        return joined;
    }
}
