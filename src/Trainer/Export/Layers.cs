using Distill.Trainer.Export.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DataType = Distill.Trainer.Export.Onnx.TensorProto.Types.DataType;

namespace Distill.Trainer.Export;

/// <summary>
/// ONNX for the torch.nn layers the models are built from. Each takes its input value's name and
/// returns its output's; the weights come from the layer itself.
/// </summary>
internal static class Layers
{
    /// <summary>Conv1d/Conv2d as Conv, ConvTranspose2d as ConvTranspose. TorchSharp's weight layouts
    /// ([out, in/g, k…] and [in, out/g, k…]) are ONNX's.</summary>
    public static string Convolution(OnnxGraph g, Convolution conv, string x)
    {
        if (conv.padding_type is not null || conv.padding_mode != PaddingModes.Zeros)
            throw new NotSupportedException("Only explicit zero padding is exported.");
        int rank = (int)conv.weight.shape.Length - 2;
        long[] padding = PerAxis(conv.padding, rank, 0);
        var attributes = new List<AttributeProto>
        {
            Attr.Ints("kernel_shape", conv.weight.shape[2..]),
            Attr.Ints("strides", PerAxis(conv.stride, rank, 1)),
            Attr.Ints("pads", [.. padding, .. padding]),
            Attr.Ints("dilations", PerAxis(conv.dilation, rank, 1)),
            Attr.Int("group", conv.groups),
        };
        if (conv.transposed) attributes.Add(Attr.Ints("output_padding", PerAxis(conv.output_padding, rank, 0)));
        string[] inputs = conv.bias is null
            ? [x, g.Weight(conv, "weight")]
            : [x, g.Weight(conv, "weight"), g.Weight(conv, "bias")];
        return g.Op(conv.transposed ? "ConvTranspose" : "Conv", inputs, [.. attributes]);
    }

    /// <summary>y = x·Wᵀ + b for x [rows, in].</summary>
    public static string Linear(OnnxGraph g, Linear linear, string x)
    {
        string[] inputs = linear.bias is null
            ? [x, g.Weight(linear, "weight")]
            : [x, g.Weight(linear, "weight"), g.Weight(linear, "bias")];
        return g.Op("Gemm", inputs, Attr.Int("transB", 1));
    }

    /// <summary>
    /// y = x·Wᵀ + b with W stored as 7-bit int8, one symmetric scale per output (w ≈ s_n·q, |q| ≤ 63), and each row
    /// of x quantized on the fly with its own scale to uint8 offset by 128, so rows never influence each other; the
    /// product is exact in int32 and scaled back to float. uint8 × int8 is what x86 multiplies fastest (VNNI's dot
    /// products); without VNNI it sums pairs of products in 16 bits, which 2·255·63 cannot overflow but 8-bit weights
    /// could.
    /// </summary>
    public static string LinearInt8(OnnxGraph g, Linear linear, string x)
    {
        string values = g.Derived(linear, "weight", "int8", w => QuantizeRows(w).t().contiguous());  // [in, out]
        string scales = g.Derived(linear, "weight", "scale", RowScales);                               // [out]
        string rowScale = g.Op("Max", [
            g.Op("Div", [g.Op("ReduceMax", [g.Op("Abs", [x]), g.Constant("axis_last", -1L)], Attr.Int("keepdims", 1)),
                         g.Constant("int8_max", 127f)]),
            g.Constant("smallest_scale", 1e-30f)]);                                                    // [rows, 1]
        string offset = g.ByteConstant("uint8_offset", 128);
        // Scale 1: round(x / rowScale) + 128, saturated to uint8.
        string quantized = g.Op("QuantizeLinear", [g.Op("Div", [x, rowScale]), g.Constant("unit_scale", 1f), offset]);
        string product = g.Op("MatMulInteger", [quantized, values, offset]);
        string y = g.Op("Mul", [g.Op("DequantizeLinear", [product, scales], Attr.Int("axis", 1)), rowScale]);
        return linear.bias is null ? y : g.Op("Add", [y, g.Weight(linear, "bias")]);
    }

    /// <summary>Per output row of a weight [out, in]: max |w| / 63.</summary>
    static Tensor RowScales(Tensor weight) => weight.abs().amax([1]).clamp_min(1e-30) / 63;

    /// <summary>A weight [out, in] as round(w / scale) in int8 (−63..63).</summary>
    static Tensor QuantizeRows(Tensor weight) =>
        (weight / RowScales(weight).unsqueeze(1)).round().clamp(-63, 63).to(ScalarType.Int8);

    public static string LayerNorm(OnnxGraph g, LayerNorm norm, string x) =>
        g.Op("LayerNormalization", [x, g.Weight(norm, "weight"), g.Weight(norm, "bias")],
             Attr.Int("axis", -norm.normalized_shape.Length), Attr.Float("epsilon", (float)norm.eps));

    /// <summary>Exact (erf) GELU, TorchSharp's default.</summary>
    public static string Gelu(OnnxGraph g, string x) => g.Op("Gelu", [x], Attr.String("approximate", "none"));

    public static string Embedding(OnnxGraph g, Embedding embedding, string indices) =>
        g.Op("Gather", [g.Weight(embedding, "weight"), indices]);

    /// <summary>TorchSharp may keep one value for all axes, or none for the default.</summary>
    static long[] PerAxis(long[]? values, int rank, long unset) => values switch
    {
        null => Enumerable.Repeat(unset, rank).ToArray(),
        { Length: 1 } => Enumerable.Repeat(values[0], rank).ToArray(),
        _ when values.Length == rank => values,
        _ => throw new NotSupportedException($"{values.Length} values for {rank} axes."),
    };
}
