using Distill.Trainer.Autoencoder;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Distill.Trainer.Export;

/// <summary>ONNX for the autoencoder's modules: encoder, decoder, residual blocks and the residual VQ.</summary>
internal static class AutoencoderEmitter
{
    /// <summary>Normalised log-mel [1, 1, mels, frames] → latents [1, D, F, steps].</summary>
    public static string Encoder(OnnxGraph g, Encoder encoder, string x)
    {
        x = Layers.Convolution(g, encoder.Stem, x);
        foreach (var stage in encoder.Stages) x = Stage(g, stage, x);
        return Layers.Convolution(g, encoder.Project, Layers.Gelu(g, x));
    }

    /// <summary>Latents [1, D, F, steps] → (normalised log-mel [1, 1, mels, frames], normalised
    /// log-magnitude [1, bins, frames], power calibration included) for a chunk of steps that continues the one
    /// before through the state <paramref name="stream"/> carries (zero state: a whole sequence from silence).</summary>
    public static (string Mel, string LogMagnitude) Decoder(OnnxGraph g, Decoder decoder, AutoencoderConfig c,
                                                            string z, DecoderStream stream)
    {
        string h = Layers.Convolution(g, decoder.Expand, z);
        foreach (var stage in decoder.Stages) h = Stage(g, stage, h, stream);
        h = Layers.Gelu(g, h);
        string mix = Layers.Convolution(g, decoder.StftMix, h); // [1, C, mels, frames]
        string channels = g.Op("Reshape",
                               [mix, g.Constant("stft_head_input_shape", 0, c.StftHeadChannels * c.Mels, -1)]);
        string calibration = g.Op("Unsqueeze", [g.Weight(decoder, "power_calibration"), g.Constant("axis_1", 1L)]);
        return (Layers.Convolution(g, decoder.MelHead, h),
                g.Op("Add", [Layers.Convolution(g, decoder.StftHead, channels), calibration]));
    }

    /// <summary>One encoder or decoder stage: a Sequential of GELUs, convolutions and residual blocks.</summary>
    static string Stage(OnnxGraph g, nn.Module<Tensor, Tensor> layer, string x, DecoderStream? stream = null) =>
        layer switch
        {
            Sequential sequence => Enumerable.Range(0, sequence.Count)
                .Aggregate(x, (h, i) => Stage(g, (nn.Module<Tensor, Tensor>)sequence[i], h, stream)),
            GELU gelu when gelu.approximate == GELU.Approximate.none => Layers.Gelu(g, x),
            Convolution conv => Layers.Convolution(g, conv, x),
            CausalConv2d causal when stream is not null => CausalConvolution(g, causal, x, stream),
            CausalUpsample up when stream is not null => Upsample(g, up, x, stream),
            ResidualBlock block => g.Op("Add", [
                x, Stage(g, block.Conv2, Layers.Gelu(g, Stage(g, block.Conv1, Layers.Gelu(g, x), stream)), stream)]),
            _ => throw new NotSupportedException($"No ONNX emitter for {layer.GetType().Name}."),
        };

    /// <summary>The frames carried from the last chunk stand before this one: from a zero initial state, the same
    /// as the layer's zero padding in time.</summary>
    static string CausalConvolution(OnnxGraph g, CausalConv2d causal, string x, DecoderStream stream) =>
        Layers.Convolution(g, causal.Conv, stream.Carry(x, causal.Conv.weight.shape[1], causal.StateFrames));

    /// <summary>Over the carried input frame and the chunk's n: of the 2n + 4 output frames, [2, 2n + 2) are the
    /// chunk's (<see cref="CausalUpsample"/> keeps 2T of 2T + 2); the frequency axis doubles.</summary>
    static string Upsample(OnnxGraph g, CausalUpsample up, string x, DecoderStream stream)
    {
        string y = Layers.Convolution(g, up.Conv, stream.Carry(x, up.Conv.weight.shape[0], 1));
        stream.Frequency *= 2;
        return g.Op("Slice", [y, g.Constant("from_2", 2L), g.Constant("to_minus_2", -2L), g.Constant("axis_3", 3L)]);
    }

    /// <summary>Vectors [N, D] → codes int64 [N, L], as <see cref="ResidualQuantizer.Quantize"/> with
    /// training = false: per level the nearest code (squared Euclidean, first index on ties) to the
    /// running residual, which then loses that code.</summary>
    public static string Quantize(OnnxGraph g, ResidualQuantizer quantizer, string vectors)
    {
        string residual = vectors, axis1 = g.Constant("axis_1", 1L);
        var codes = new List<string>();
        for (int l = 0; l < quantizer.LevelCount; l++)
        {
            string embed = g.Weight(quantizer.Level(l), "embed"); // [K, D]
            // ‖r‖² − 2·r·eᵀ + ‖e‖², the expansion Codebook.Assign uses.
            // rr [N, 1], re [N, K], ee [K]
            string rr = g.Op("ReduceSum", [g.Op("Mul", [residual, residual]), axis1], Attr.Int("keepdims", 1));
            string re = g.Op("MatMul", [residual, g.Op("Transpose", [embed])]);
            string ee = g.Op("ReduceSum", [g.Op("Mul", [embed, embed]), axis1], Attr.Int("keepdims", 0));
            string distance = g.Op("Add", [g.Op("Sub", [rr, g.Op("Mul", [re, g.Constant("two", 2f)])]), ee]);
            string index = g.Op("ArgMin", [distance], Attr.Int("axis", 1), Attr.Int("keepdims", 1)); // [N, 1]
            codes.Add(index);
            if (l + 1 < quantizer.LevelCount)
                residual = g.Op("Sub", [residual, g.Op("Gather", [embed, g.Op("Squeeze", [index, axis1])])]);
        }
        return g.Op("Concat", [.. codes], Attr.Int("axis", 1));
    }

    /// <summary>Per code set [1, steps, F, L]: Σ_l gain_l·e_l(code_l) → latent vectors [1, steps, F, D].
    /// The levels' codebooks form one table whose rows are l·K + code.</summary>
    public static string[] Dequantize(OnnxGraph g, ResidualQuantizer quantizer, string levelGain,
                                      params string[] codeSets)
    {
        var levels = Enumerable.Range(0, quantizer.LevelCount).ToArray();
        string table = g.Op("Concat", levels.Select(l => g.Weight(quantizer.Level(l), "embed")).ToArray(),
                            Attr.Int("axis", 0));
        string offsets = g.Constant("level_offsets", levels.Select(l => (long)l * quantizer.Level(l).Size).ToArray());
        string gains = g.Op("Unsqueeze", [levelGain, g.Constant("axis_1", 1L)]); // [L, 1] against [.., L, D]
        return codeSets.Select(codes =>
        {
            string entries = g.Op("Gather", [table, g.Op("Add", [codes, offsets])]); // [1, steps, F, L, D]
            return g.Op("ReduceSum", [g.Op("Mul", [entries, gains]), g.Constant("axis_3", 3L)],
                        Attr.Int("keepdims", 0));

        }).ToArray();
    }
}
