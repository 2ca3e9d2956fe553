using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Torch;

/// <summary>
/// Tensors made from .NET arrays by copying into libtorch's own memory. torch.tensor(array) wraps the
/// managed array in place, tying the tensor's contents to the array's lifetime; a copy never depends
/// on what the GC does with the array.
/// </summary>
public static class Tensors
{
    public static Tensor Copy(float[] data, params long[] shape) => Copy<float>(data, ScalarType.Float32, shape);

    public static Tensor Copy(long[] data, params long[] shape) => Copy<long>(data, ScalarType.Int64, shape);

    static Tensor Copy<T>(T[] data, ScalarType type, long[] shape) where T : unmanaged
    {
        var t = torch.empty(shape.Length == 0 ? new long[] { data.Length } : shape, type);
        t.bytes = MemoryMarshal.AsBytes(data.AsSpan());
        return t;
    }
}
