using System.Runtime.InteropServices;
using Distill.Trainer.Export.Onnx;
using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;
using DataType = Distill.Trainer.Export.Onnx.TensorProto.Types.DataType;

namespace Distill.Trainer.Export;

/// <summary>A graph input/output dimension: a fixed size or a named symbolic one ("frames").</summary>
internal readonly record struct Dim(long Size, string? Symbol)
{
    public static implicit operator Dim(long size) => new(size, null);
    public static implicit operator Dim(string symbol) => new(0, symbol);
}

/// <summary>
/// Builds one ONNX graph (IR 10, opset 21): typed inputs and outputs, nodes whose outputs get unique
/// names, constants, and weights. A weight becomes an initializer named by its path in the exported
/// module's state ("Encoder.stem.weight"), added once however often it is used, so a reader of the file
/// finds the layer it came from and tests can check that every weight of the module is consumed.
/// </summary>
internal sealed class OnnxGraph
{
    public const long IrVersion = 10, Opset = 21;
    public const string Producer = "distill";

    readonly GraphProto graph;
    readonly Dictionary<nn.Module, string> modulePaths = new(ReferenceEqualityComparer.Instance);
    readonly HashSet<string> names = new(), weights = new();
    readonly Dictionary<string, string> constants = new();

    public OnnxGraph(string name, nn.Module weightsOf)
    {
        graph = new GraphProto { Name = name };
        foreach (var (path, module) in weightsOf.named_modules()) modulePaths[module] = path + ".";
        modulePaths[weightsOf] = "";
    }

    public string Input(string name, DataType type, params Dim[] shape)
    {
        graph.Input.Add(ValueInfo(Claim(name), type, shape));
        return name;
    }

    /// <summary>Publishes <paramref name="value"/> under the contract's output name.</summary>
    public void Output(string name, string value, DataType type, params Dim[] shape)
    {
        graph.Node.Add(Node("Identity", [value], [Claim(name)], []));
        graph.Output.Add(ValueInfo(name, type, shape));
    }

    /// <summary>Parameter or buffer <paramref name="name"/> of <paramref name="owner"/> (a module inside the
    /// exported one), as an initializer. Looked up by module and name because TorchSharp may hand out a new
    /// wrapper for the same weight on every access.</summary>
    public string Weight(nn.Module owner, string name)
    {
        string fullName = WeightPath(owner, name);
        if (!weights.Add(fullName)) return fullName;
        graph.Initializer.Add(TensorOf(Claim(fullName), WeightOf(owner, name)));
        return fullName;
    }

    string WeightPath(nn.Module owner, string name) => modulePaths.TryGetValue(owner, out var path)
        ? path + name
        : throw new ArgumentException("Not a module of the exported model.", nameof(owner));

    static Tensor WeightOf(nn.Module owner, string name) =>
        owner.named_parameters(recurse: false).Select(p => (p.name, (Tensor)p.parameter))
            .Concat(owner.named_buffers(recurse: false)).FirstOrDefault(w => w.Item1 == name).Item2
        ?? throw new ArgumentException($"{owner.GetType().Name} has no weight '{name}'.", nameof(name));

    /// <summary>An initializer computed from weight <paramref name="name"/> of <paramref name="owner"/> (a quantized
    /// copy, say), named after it with <paramref name="suffix"/>; added once however often it is used.</summary>
    public string Derived(nn.Module owner, string name, string suffix, Func<Tensor, Tensor> derive)
    {
        string derivedName = $"{WeightPath(owner, name)}.{suffix}";
        if (!weights.Add(derivedName)) return derivedName;
        using var scope = NewDisposeScope();
        graph.Initializer.Add(TensorOf(Claim(derivedName), derive(WeightOf(owner, name).detach())));
        return derivedName;
    }

    /// <summary>A scalar uint8 constant (a zero point); equal constants are shared.</summary>
    public string ByteConstant(string hint, byte value) => Constant(hint, DataType.Uint8, [value], []);

    /// <summary>A scalar constant; equal constants are shared.</summary>
    public string Constant(string hint, float value) =>
        Constant(hint, DataType.Float, MemoryMarshal.AsBytes(new[] { value }.AsSpan()), []);

    /// <summary>A 1-D constant; equal constants are shared.</summary>
    public string Constant(string hint, params float[] values) =>
        Constant(hint, DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), [values.Length]);

    /// <summary>A float constant of shape <paramref name="dims"/>; equal constants are shared.</summary>
    public string Constant(string hint, float[] values, params long[] dims) =>
        Constant(hint, DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), dims);

    /// <summary>A 1-D constant (shapes, axes, indices); equal constants are shared.</summary>
    public string Constant(string hint, params long[] values) =>
        Constant(hint, DataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()), [values.Length]);

    /// <summary>One node with one output; returns the output's name.</summary>
    public string Op(string opType, string[] inputs, params AttributeProto[] attributes) =>
        Op(opType, 1, inputs, attributes)[0];

    public string[] Op(string opType, int outputs, string[] inputs, params AttributeProto[] attributes)
    {
        string name = Unique(opType);
        string[] outputNames = outputs == 1
            ? [name]
            : Enumerable.Range(0, outputs).Select(i => Unique($"{name}_out{i}")).ToArray();
        var node = Node(opType, inputs, outputNames, attributes);
        node.Name = name;
        graph.Node.Add(node);
        return outputNames;
    }

    /// <summary>The serialized ModelProto. Deterministic: the same module gives the same bytes.</summary>
    public byte[] ToModel(string docString)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion, ProducerName = Producer,
            ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version!.ToString(),
            DocString = docString, Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    string Constant(string hint, DataType type, ReadOnlySpan<byte> data, long[] dims)
    {
        // Shared so that per-layer shapes and axes appear once.
        string key = $"{type}[{string.Join(',', dims)}]{Convert.ToHexString(data)}";
        if (constants.TryGetValue(key, out var existing)) return existing;
        var tensor = new TensorProto { Name = Unique(hint), DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        return constants[key] = tensor.Name;
    }

    static TensorProto TensorOf(string name, Tensor t)
    {
        using var scope = NewDisposeScope();
        var data = t.detach().cpu().contiguous();
        var type = data.dtype switch
        {
            ScalarType.Float32 => DataType.Float,
            ScalarType.Int64 => DataType.Int64,
            ScalarType.Byte => DataType.Uint8,
            ScalarType.Int8 => DataType.Int8,
            _ => throw new NotSupportedException($"{name}: {data.dtype} weights are not exported."),
        };
        // libtorch keeps CPU tensors in host byte order; every supported host is little-endian, as raw_data is.
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data.bytes) };
        tensor.Dims.AddRange(data.shape);
        return tensor;
    }

    static NodeProto Node(string opType, string[] inputs, string[] outputs, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    static ValueInfoProto ValueInfo(string name, DataType type, Dim[] shape)
    {
        var tensorShape = new TensorShapeProto();
        tensorShape.Dim.AddRange(shape.Select(d => d.Symbol is null
            ? new TensorShapeProto.Types.Dimension { DimValue = d.Size }
            : new TensorShapeProto.Types.Dimension { DimParam = d.Symbol }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape },
            },
        };
    }

    string Claim(string name) =>
        names.Add(name) ? name : throw new InvalidOperationException($"ONNX value name '{name}' is taken.");

    string Unique(string hint)
    {
        string name = hint;
        for (int i = 1; !names.Add(name); i++) name = $"{hint}_{i}";
        return name;
    }
}

/// <summary>Node attributes by ONNX type.</summary>
internal static class Attr
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
