
namespace Distill.Runtime.Bundle;

public enum TensorElement { Float32, Int64 }

/// <summary>One graph input or output. <see cref="Dims"/> uses −1 for a symbolic dimension (steps, frames, batch),
/// as OnnxRuntime's metadata does.</summary>
public sealed record TensorShape(string Name, TensorElement Element, long[] Dims);

public sealed record GraphShape(string Member, TensorShape[] Inputs, TensorShape[] Outputs);

/// <summary>The inputs and outputs each graph of a world must have, derived from its manifest as the contract in
/// <see cref="WorldGraphs"/> states them, for the inference layer to check the loaded sessions against.</summary>
public static class GraphShapes
{
    const long Symbolic = -1;

    public static GraphShape[] For(WorldManifest m) => [Encoder(m), Decoder(m), PriorStep(m)];

    public static GraphShape Encoder(WorldManifest m) => new(WorldGraphs.EncoderMember,
        [Float(WorldGraphs.Encoder.LogMel, 1, 1, m.Audio.Mels, Symbolic)],
        [Codes(WorldGraphs.Encoder.Codes, m)]);

    public static GraphShape Decoder(WorldManifest m) => new(WorldGraphs.DecoderMember,
        [
            Codes(WorldGraphs.Decoder.Codes, m), Codes(WorldGraphs.Decoder.MorphCodes, m),
            Float(WorldGraphs.Decoder.Morph, 1, Symbolic), Float(WorldGraphs.Decoder.LevelGain, m.Quantizer.Levels),
            .. m.DecoderState.Select((shape, i) => Float(WorldGraphs.Decoder.StateIn(i), shape)),
        ],
        [
            Float(WorldGraphs.Decoder.Magnitude, 1, Symbolic, m.Audio.NFft / 2 + 1),
            Float(WorldGraphs.Decoder.LogMel, 1, 1, m.Audio.Mels, Symbolic),
            .. m.DecoderState.Select((shape, i) => Float(WorldGraphs.Decoder.StateOut(i), shape)),
        ]);

    public static GraphShape PriorStep(WorldManifest m)
    {
        var p = m.Prior;
        const long batch = Symbolic;
        long[] cache = [batch, p.CacheHeads, p.CacheSlots, p.HeadDim],
               entry = [batch, p.Layers, p.CacheHeads, 1, p.HeadDim];
        var layers = Enumerable.Range(0, p.Layers);
        return new(WorldGraphs.PriorStepMember,
        [
            new(WorldGraphs.PriorStep.PreviousToken, TensorElement.Int64, [batch]),
            new(WorldGraphs.PriorStep.Slot, TensorElement.Int64, [batch]),
            Float(WorldGraphs.PriorStep.RopeCos, batch, p.HeadDim / 2),
            Float(WorldGraphs.PriorStep.RopeSin, batch, p.HeadDim / 2),
            .. layers.Select(l => Float(WorldGraphs.PriorStep.PastKeys(l), cache)),
            .. layers.Select(l => Float(WorldGraphs.PriorStep.PastValues(l), cache)),
            Float(WorldGraphs.PriorStep.PastMask, batch, p.CacheSlots),
            Float(WorldGraphs.PriorStep.AnchorHistogram, batch, (long)m.Quantizer.Levels * m.Quantizer.CodebookSize),
        ],
        [
            Float(WorldGraphs.PriorStep.Logits, batch, m.Quantizer.CodebookSize),
            Float(WorldGraphs.PriorStep.NewKeys, entry), Float(WorldGraphs.PriorStep.NewValues, entry),
        ]);
    }

    static TensorShape Float(string name, params long[] dims) => new(name, TensorElement.Float32, dims);

    static TensorShape Codes(string name, WorldManifest m) =>
        new(name, TensorElement.Int64, [1, Symbolic, m.Grid.FrequencyPositions, m.Quantizer.Levels]);
}
