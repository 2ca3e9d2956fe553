using Distill.Runtime.Bundle;
using Distill.Runtime.Inference;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Prior;
using DataType = Distill.Trainer.Export.Onnx.TensorProto.Types.DataType;

namespace Distill.Trainer.Export;

/// <summary>
/// A trained world as the three ONNX graphs of <see cref="WorldGraphs"/> (names, shapes and meaning are
/// the contract with the runtime). Each method returns a serialized ModelProto, the same bytes for the
/// same weights.
/// </summary>
public static class OnnxExport
{
    const string Frames = "frames", Steps = "steps";

    /// <summary>Raw natural-log mel → codes, as <see cref="RvqAutoencoder.Encode"/> on the run's normalised
    /// features.</summary>
    public static byte[] Encoder(RvqAutoencoder model, FeatureStats stats)
    {
        var c = model.Config;
        var g = new OnnxGraph("encoder", model);
        string logMel = g.Input(WorldGraphs.Encoder.LogMel, DataType.Float, 1, 1, c.Mels, Frames);
        string x = g.Op("Div", [g.Op("Sub", [logMel, g.Constant("mel_mean", stats.MelMean)]),
                                g.Constant("mel_std", stats.MelStd)]);
        string z = AutoencoderEmitter.Encoder(g, model.Encoder, x); // [1, D, F, steps]
        // Rows ordered time, then frequency, as RvqAutoencoder.ToVectors.
        string vectors = g.Op("Reshape", [g.Op("Transpose", [z], Attr.Ints("perm", 0, 3, 2, 1)),
                                          g.Constant("vectors_shape", -1, c.LatentDim)]);
        string codes = AutoencoderEmitter.Quantize(g, model.Quantizer, vectors);
        g.Output(WorldGraphs.Encoder.Codes,
                 g.Op("Reshape", [codes, g.Constant("codes_shape", 1, -1, c.FrequencyPositions, c.Levels)]),
                 DataType.Int64, 1, Steps, c.FrequencyPositions, c.Levels);
        return g.ToModel($"Distill encoder: log_mel [1, 1, {c.Mels}, frames] (natural-log mel power, frames a " +
                         $"multiple of {c.Downsampling}) → codes [1, frames/{c.Downsampling}, " +
                         $"{c.FrequencyPositions}, {c.Levels}] (residual VQ, {c.CodebookSize} codes per level). " +
                         $"Normalisation (x − {stats.MelMean}) / {stats.MelStd} is inside.");
    }

    /// <summary>Codes (two sets, morphed per step, levels weighted by gain) → linear magnitude and log-mel,
    /// de-normalised, continuing from the state of the chunk before (zero state: from silence), and the state
    /// after. With gains 1 for the first d levels, 0 after, morph 0 and zero state:
    /// <see cref="RvqAutoencoder.Decode"/>(codes, d). Returns the state's shapes too, for the manifest.</summary>
    public static (byte[] Graph, long[][] StateShapes) Decoder(RvqAutoencoder model, FeatureStats stats)
    {
        var c = model.Config;
        var g = new OnnxGraph("decoder", model);
        Dim[] codeShape = [1, Steps, c.FrequencyPositions, c.Levels];
        string codes = g.Input(WorldGraphs.Decoder.Codes, DataType.Int64, codeShape);
        string morphCodes = g.Input(WorldGraphs.Decoder.MorphCodes, DataType.Int64, codeShape);
        string morph = g.Input(WorldGraphs.Decoder.Morph, DataType.Float, 1, Steps);
        string levelGain = g.Input(WorldGraphs.Decoder.LevelGain, DataType.Float, c.Levels);

        // [1, steps, F, D]
        var latents = AutoencoderEmitter.Dequantize(g, model.Quantizer, levelGain, codes, morphCodes);
        string m = g.Op("Unsqueeze", [morph, g.Constant("axes_2_3", 2, 3)]); // [1, steps, 1, 1]
        string latent = g.Op("Add", [g.Op("Mul", [g.Op("Sub", [g.Constant("one", 1f), m]), latents[0]]),
                                     g.Op("Mul", [m, latents[1]])]);
        // [1, D, F, steps], as RvqAutoencoder.FromVectors
        string z = g.Op("Transpose", [latent], Attr.Ints("perm", 0, 3, 2, 1));

        var stream = new DecoderStream(g, c.FrequencyPositions);
        var (mel, logMagnitude) = AutoencoderEmitter.Decoder(g, model.Decoder, c, z, stream);

        string magnitude = g.Op("Exp", [
            g.Op("Add", [g.Op("Mul", [logMagnitude, g.Constant("magnitude_std", stats.MagnitudeStd)]),
                         g.Constant("magnitude_mean", stats.MagnitudeMean)])]);
        g.Output(WorldGraphs.Decoder.Magnitude, g.Op("Transpose", [magnitude], Attr.Ints("perm", 0, 2, 1)),
                 DataType.Float, 1, Frames, c.StftBins);
        g.Output(WorldGraphs.Decoder.LogMel,
                 g.Op("Add", [g.Op("Mul", [mel, g.Constant("mel_std", stats.MelStd)]),
                              g.Constant("mel_mean", stats.MelMean)]),
                 DataType.Float, 1, 1, c.Mels, Frames);
        var graph = g.ToModel($"Distill decoder: codes and morph_codes [1, steps, {c.FrequencyPositions}, " +
                              $"{c.Levels}], morph [1, steps], level_gain [{c.Levels}] → latent (1 − m)·Σ g·e(codes) + " +
                              $"m·Σ g·e(morph_codes) → magnitude [1, frames, {c.StftBins}] " +
                              $"(linear |X|) and log_mel [1, 1, {c.Mels}, frames] (natural log), " +
                              $"frames = {c.Downsampling}·steps. Causal in time: {stream.Shapes.Count} state " +
                              "tensors (state_in_i → state_out_i) carry each layer's last input frames from one " +
                              "call to the next; zeros start from silence.");
        return (graph, stream.Shapes.ToArray());
    }

    /// <summary>One token of <see cref="CodePrior.Step"/> for each voice of a batch, over ring caches of
    /// ContextTokens − 1 slots kept by the caller, so a token sees at most the context window, itself
    /// included.</summary>
    public static byte[] PriorStep(CodePrior prior, PriorWeights weights = PriorWeights.Float32)
    {
        var c = prior.Config;
        int cacheHeads = c.KeyValueHeads, headDim = c.Hidden / c.Heads, layers = c.Layers, slots = c.ContextTokens - 1;
        var g = new OnnxGraph("prior_step", prior);
        const string batch = WorldGraphs.PriorStep.Batch;
        var io = new PriorStepInputs(
            g.Input(WorldGraphs.PriorStep.PreviousToken, DataType.Int64, batch),
            g.Input(WorldGraphs.PriorStep.Slot, DataType.Int64, batch),
            g.Input(WorldGraphs.PriorStep.RopeCos, DataType.Float, batch, headDim / 2),
            g.Input(WorldGraphs.PriorStep.RopeSin, DataType.Float, batch, headDim / 2),
            Enumerable.Range(0, layers).Select(l => g.Input(WorldGraphs.PriorStep.PastKeys(l), DataType.Float,
                                                            batch, cacheHeads, slots, headDim)).ToList(),
            Enumerable.Range(0, layers).Select(l => g.Input(WorldGraphs.PriorStep.PastValues(l), DataType.Float,
                                                            batch, cacheHeads, slots, headDim)).ToList(),
            g.Input(WorldGraphs.PriorStep.PastMask, DataType.Float, batch, slots),
            g.Input(WorldGraphs.PriorStep.AnchorHistogram, DataType.Float, batch, (long)c.Levels * c.CodebookSize));
        var (logits, keys, values) = PriorEmitter.Step(g, prior, io, weights);
        g.Output(WorldGraphs.PriorStep.Logits, logits, DataType.Float, batch, c.CodebookSize);
        g.Output(WorldGraphs.PriorStep.NewKeys, keys, DataType.Float, batch, layers, cacheHeads, 1, headDim);
        g.Output(WorldGraphs.PriorStep.NewValues, values, DataType.Float, batch, layers, cacheHeads, 1, headDim);
        return g.ToModel($"Distill prior step, a batch of voices: {layers} layers ({weights} block weights) × {c.Heads} heads of {headDim} " +
                         $"sharing {cacheHeads} key/value heads, " +
                         $"{c.Levels} levels × {c.CodebookSize} codes × " +

                         $"{c.FrequencyPositions} frequency positions per time step; ring cache of {slots} slots " +
                         $"(mask {WorldGraphs.PriorStep.EmptySlot} = empty), " +
                         $"rotary base {c.RopeBase} over time steps; conditioned on the anchor's code histogram " +
                         $"[1, {c.Levels * c.CodebookSize}] (per-level code frequencies, zeros = none).");

    }
}
