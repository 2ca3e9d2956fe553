using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using System.Text.Json.Serialization;

namespace Distill.Trainer.Torch;

/// <summary>A checkpoint read back: its header, its tensors, and the file they came from.</summary>
public sealed record LoadedCheckpoint<T>(string Path, T Header, Dictionary<string, Tensor> Tensors);

/// <summary>
/// A training checkpoint: a JSON header (configuration, progress, data split) and named raw tensors, closed by a
/// CRC-64 of everything before it, in one file written atomically (temp file in the same folder, fsync, rename), so
/// an interruption at any moment leaves either the old or the new checkpoint, never half of one. The file it
/// replaces is kept as <see cref="Previous"/>, so damage to the newest (a bad disk, a copy cut short) costs one save.
/// </summary>
public static class Checkpoint
{
    static readonly byte[] Magic = "DSTLCKP2"u8.ToArray();
    /// <summary>Files from before the checksum: read with every length checked, but without integrity proof.</summary>
    static readonly byte[] MagicWithoutChecksum = "DSTLCKP1"u8.ToArray();
    const int ChecksumBytes = 8, MaxDimensions = 8;

    /// <summary>How headers, and the run's other JSON files, are written: indented, with NaN and infinities
    /// allowed.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Where the checkpoint that <paramref name="path"/> replaced is kept.</summary>
    public static string Previous(string path) => path + ".prev";

    /// <summary>Whether <paramref name="path"/> or its previous copy exists.</summary>
    public static bool Exists(string path) => File.Exists(path) || File.Exists(Previous(path));

    public static void Save(string path, string headerJson, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        string tmp = path + ".tmp";
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
        {
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
            }
            file.Position = 0;
            var checksum = Checksum(file, file.Length);
            file.Write(checksum);
            file.Flush(flushToDisk: true);
        }
        if (File.Exists(path)) File.Move(path, Previous(path), overwrite: true);
        File.Move(tmp, path, overwrite: true);
    }

    static byte[] Checksum(Stream stream, long length)
    {
        var crc = new Crc64();
        var chunk = new byte[1 << 16];
        for (long left = length; left > 0;)
        {
            int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
            if (n == 0) break;
            crc.Append(chunk.AsSpan(0, n));
            left -= n;
        }
        return crc.GetCurrentHash();
    }

    /// <exception cref="InvalidDataException">The file is not a checkpoint or is damaged; the message names the file
    /// and says how.</exception>
    public static (string HeaderJson, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        using var file = File.OpenRead(path);
        var magic = new byte[Magic.Length];
        if (file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) < magic.Length
            || !magic.AsSpan().SequenceEqual(Magic) && !magic.AsSpan().SequenceEqual(MagicWithoutChecksum))
            throw new InvalidDataException($"{path} is not a Distill checkpoint (or its start is damaged)");
        long end = file.Length;
        if (magic.AsSpan().SequenceEqual(Magic))
        {
            end -= ChecksumBytes;
            if (end < Magic.Length) throw Damaged(path, "it is cut short");
            file.Position = 0;
            var actual = Checksum(file, end);
            var stored = new byte[ChecksumBytes];
            file.ReadExactly(stored);
            if (!actual.AsSpan().SequenceEqual(stored))
                throw Damaged(path, "its checksum does not match (the file was changed or cut short)");
            file.Position = Magic.Length;
        }
        try
        {
            return Read(new BinaryReader(file, Encoding.UTF8, leaveOpen: true), end, path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException
                                      or DecoderFallbackException)
        {
            throw Damaged(path, "its contents cannot be read");
        }
    }

    static (string, Dictionary<string, Tensor>) Read(BinaryReader r, long end, string path)
    {
        long Left() => end - r.BaseStream.Position;
        string header = r.ReadString();
        int count = r.ReadInt32();
        if (count < 0 || count > Left()) throw Damaged(path, $"it claims {count} tensors");
        var tensors = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            var dtype = (ScalarType)r.ReadInt32();
            if (!Enum.IsDefined(dtype) || ElementBytes(dtype) == 0)
                throw Damaged(path, $"tensor '{name}' has an unknown element type");
            int rank = r.ReadInt32();
            if (rank is < 0 or > MaxDimensions) throw Damaged(path, $"tensor '{name}' claims {rank} dimensions");
            var shape = new long[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++)
            {
                shape[d] = r.ReadInt64();
                if (shape[d] < 0 || shape[d] > Left()) throw Damaged(path, $"tensor '{name}' has dimension {shape[d]}");
                elements *= shape[d];
                if (elements > Left()) throw Damaged(path, $"tensor '{name}' is larger than the file");
            }
            long length = r.ReadInt64();
            if (length != elements * ElementBytes(dtype) || length > Left())
                throw Damaged(path, $"tensor '{name}' holds {length} bytes, not the {elements * ElementBytes(dtype)} " +
                                    "its shape needs, or more than the file has");
            var t = torch.empty(shape, dtype);
            t.bytes = r.ReadBytes((int)length);
            tensors[name] = t;
        }
        if (Left() != 0) throw Damaged(path, "it has bytes after its last tensor");
        return (header, tensors);
    }

    static int ElementBytes(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => 0,
    };

    static InvalidDataException Damaged(string path, string how) => new($"{path} is damaged: {how}");

    /// <summary>The newest intact copy of a checkpoint: <paramref name="path"/>, else its <see cref="Previous"/> copy
    /// (with a warning naming the damaged file). Damage includes a header <paramref name="header"/> cannot
    /// parse.</summary>
    /// <exception cref="UserFacingException">Neither copy is intact; the message names each file and what is
    /// wrong.</exception>
    /// <param name="remedy">What the user can do when nothing intact is left, appended to that message.</param>
    public static LoadedCheckpoint<T> LoadNewestIntact<T>(string path, Func<string, T> header, Action<string> warn,
                                                          string remedy = "")
    {
        var failures = new List<string>();
        foreach (string candidate in new[] { path, Previous(path) })
        {
            if (!File.Exists(candidate))
            {
                if (candidate == path) failures.Add($"{path} is missing");
                continue;
            }
            try
            {
                var (json, tensors) = Load(candidate);
                var parsed = header(json);
                if (failures.Count > 0) warn($"{failures[0]}; using the previous copy, {candidate}.");
                return new LoadedCheckpoint<T>(candidate, parsed, tensors);
            }
            catch (Exception e) when (e is InvalidDataException or JsonException)
            {
                failures.Add(e is InvalidDataException
                    ? e.Message
                    : $"{candidate} is damaged: its header cannot be read");
            }
        }
        throw new UserFacingException(
            $"{string.Join("; ", failures)}. No intact copy is left.{(remedy.Length > 0 ? " " + remedy : "")}");
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
            throw new InvalidDataException(
                $"checkpoint tensor '{name}' has shape [{string.Join(",", source.shape)}], " +
                $"expected [{string.Join(",", target.shape)}]");


        target.copy_(source);
    }
}
