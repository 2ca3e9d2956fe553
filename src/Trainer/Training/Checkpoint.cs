using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Training;

/// <summary>
/// A training checkpoint: a JSON header (configuration, progress, data split) and named raw
/// tensors, in one file written atomically (temp file in the same folder, fsync, rename), so an
/// interruption at any moment leaves either the old or the new checkpoint, never half of one.
/// </summary>
public static class Checkpoint
{
    static readonly byte[] Magic = "DSTLCKP1"u8.ToArray();

    public static void Save(string path, string headerJson, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        string tmp = path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var w = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(headerJson);
            var list = tensors.ToList();
            w.Write(list.Count);
            foreach (var (name, t) in list)
            {
                var c = t.detach().contiguous();
                w.Write(name);
                w.Write((int)c.dtype);
                w.Write(c.shape.Length);
                foreach (long d in c.shape) w.Write(d);
                var bytes = c.bytes;
                w.Write((long)bytes.Length);
                w.Write(bytes);
            }
            w.Flush();
            file.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static (string HeaderJson, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        using var file = File.OpenRead(path);
        using var r = new BinaryReader(file, Encoding.UTF8);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a Distill checkpoint");
        string header = r.ReadString();
        int count = r.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            var dtype = (ScalarType)r.ReadInt32();
            var shape = new long[r.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt64();
            var data = r.ReadBytes(checked((int)r.ReadInt64()));
            var t = torch.empty(shape, dtype);
            t.bytes = data;
            tensors[name] = t;
        }
        return (header, tensors);
    }

    /// <summary>Copies loaded tensors into a module's parameters and buffers, in place; every one
    /// must be present with the same shape.</summary>
    public static void LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string prefix = "")
    {
        using var _ = torch.no_grad();
        foreach (var (name, target) in module.state_dict())
            CopyNamed(tensors, prefix + name, target);
    }

    public static void CopyNamed(IReadOnlyDictionary<string, Tensor> tensors, string name, Tensor target)
    {
        using var _ = torch.no_grad();
        if (!tensors.TryGetValue(name, out var source))
            throw new InvalidDataException($"checkpoint lacks tensor '{name}'");
        if (!source.shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"checkpoint tensor '{name}' has shape [{string.Join(",", source.shape)}], expected [{string.Join(",", target.shape)}]");
        target.copy_(source);
    }
}
