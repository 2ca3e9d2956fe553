using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Distill.Runtime.Bundle;

/// <summary>
/// Writes a <c>.distill</c> bundle. Deterministic: fixed entry order, fixed timestamps and compression, so the
/// same manifest and graphs give the same bytes. Atomic: written to a temporary file beside the target,
/// flushed to disk, then renamed over it, so a crash never leaves half a world under the real name.
/// </summary>
public static class WorldBundleWriter
{
    /// <summary>The earliest time a zip (DOS) timestamp holds; every entry gets it.</summary>
    static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="manifest"/> (its <see cref="WorldManifest.Members"/> are replaced by the
    /// graphs' sizes and checksums) and the graphs to <paramref name="path"/>. A manifest that
    /// <see cref="WorldBundle.Open"/> would reject is refused with <see cref="InvalidWorldException"/>.</summary>
    /// <returns>The manifest as written.</returns>
    public static WorldManifest Write(string path, WorldManifest manifest, WorldGraphFiles models)
    {
        var members = new (string Name, byte[] Bytes)[]
        {
            (ManifestValidation.MemberNames[0], models.Encoder), (ManifestValidation.MemberNames[1], models.Decoder),
            (ManifestValidation.MemberNames[2], models.PriorStep),
        };
        var written = manifest with
        {
            Members = members
                .Select(m => new MemberDigest(m.Name, m.Bytes.Length,
                                              Convert.ToHexStringLower(SHA256.HashData(m.Bytes))))
                .ToArray(),
        };
        var problems = new List<string>();
        ManifestValidation.Check(written, problems);
        // JSON has no NaN or infinity: the check above names such a value instead of letting the serializer throw.
        if (problems.Count > 0) throw new InvalidWorldException(path, problems);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(written, WorldManifestJson.Default.WorldManifest);
        var limits = BundleLimits.Default;
        if (json.Length > limits.ManifestBytes)
            problems.Add($"{WorldManifest.MemberName} would be {json.Length} bytes, " +
                         $"above the limit of {limits.ManifestBytes}");
        foreach (var (name, bytes) in members)
            if (bytes.Length > limits.MemberBytes)
                problems.Add($"'{name}' is {bytes.Length} bytes, above the limit of {limits.MemberBytes}");
        if (problems.Count > 0) throw new InvalidWorldException(path, problems);

        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
                {
                    AddEntry(zip, WorldManifest.MemberName, json);
                    foreach (var (name, bytes) in members) AddEntry(zip, name, bytes);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // no-op after the rename
        }
        return written;
    }

    static void AddEntry(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = EntryTime;
        using var stream = entry.Open();
        stream.Write(bytes);
    }
}
