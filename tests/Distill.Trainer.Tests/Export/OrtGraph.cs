using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace Distill.Tests.Export;

/// <summary>An exported graph in OnnxRuntime (CPU, one thread), run with plain <c>Run</c>; outputs are copied out.</summary>
public sealed class OrtGraph : IDisposable
{
    readonly SessionOptions options = new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
    readonly InferenceSession session;

    public OrtGraph(byte[] model) => session = new InferenceSession(model, options);

    public static OrtValue Input(float[] data, params long[] shape) => OrtValue.CreateTensorValueFromMemory(data, shape);
    public static OrtValue Input(long[] data, params long[] shape) => OrtValue.CreateTensorValueFromMemory(data, shape);

    public IReadOnlyDictionary<string, Array> Run(params (string Name, OrtValue Value)[] inputs)
    {
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), inputs.Select(i => i.Value).ToArray(), session.OutputNames);
            return session.OutputNames.Zip(results).ToDictionary(r => r.First, r => r.Second.GetTensorTypeAndShape().ElementDataType switch
            {
                TensorElementType.Float => (Array)r.Second.GetTensorDataAsSpan<float>().ToArray(),
                TensorElementType.Int64 => r.Second.GetTensorDataAsSpan<long>().ToArray(),
                var t => throw new NotSupportedException(t.ToString()),
            });
        }
        finally
        {
            foreach (var (_, value) in inputs) value.Dispose();
        }
    }

    public void Dispose()
    {
        session.Dispose();
        options.Dispose();
    }
}
