using Distill.Trainer.Export.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Export;

/// <summary>Checks on a serialized ModelProto against the module it was exported from.</summary>
public static class ExportedModel
{
    /// <summary>Each needed weight is an initializer with the module's bytes and shape that some output
    /// depends on; no other weight of the module is in the graph.</summary>
    public static void AssertUsesExactly(byte[] model, nn.Module module, Func<string, bool> needed)
    {
        var graph = ModelProto.Parser.ParseFrom(model).Graph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var consumed = InputsOfLiveNodes(graph);
        var state = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers()).ToList();
        var wanted = state.Where(s => needed(s.Item1)).ToList();
        Assert.NotEmpty(wanted);
        foreach (var (name, tensor) in wanted)
        {
            Assert.True(initializers.TryGetValue(name, out var init), $"{name} is not in the graph");
            Assert.Contains(name, consumed);
            Assert.Equal(tensor.shape, init!.Dims.ToArray());
            Assert.True(tensor.detach().contiguous().bytes.SequenceEqual(init.RawData.Span), $"{name}: bytes differ");
        }
        var extra = state.Select(s => s.Item1).Where(n => !needed(n) && initializers.ContainsKey(n)).ToList();
        Assert.True(extra.Count == 0, "weights the graph should not hold: " + string.Join(", ", extra));
    }

    /// <summary>Every value read by a node that some graph output depends on.</summary>
    static HashSet<string> InputsOfLiveNodes(GraphProto graph)
    {
        var producer = graph.Node.SelectMany(n => n.Output.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var live = new HashSet<NodeProto>();
        var pending = new Stack<string>(graph.Output.Select(o => o.Name));
        while (pending.TryPop(out var value))
            if (producer.TryGetValue(value, out var node) && live.Add(node))
                foreach (var input in node.Input) pending.Push(input);
        return live.SelectMany(n => n.Input).ToHashSet();
    }

    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
