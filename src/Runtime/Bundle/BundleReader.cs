using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Distill.Runtime.Bundle;

/// <summary>The zip side of <see cref="WorldBundle.Read"/>: entries, sizes, checksums. Every failure of the
/// archive library on hostile bytes becomes a problem sentence; nothing else escapes.</summary>
static class BundleReader
{
    public static WorldBundle Read(Stream stream, string name, BundleLimits limits)
    {
        ZipArchive zip;
        IReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            entries = zip.Entries; // the central directory is read here, so its corruption surfaces here
        }
        catch (Exception e) when (IsArchiveFailure(e))
        {
            throw new InvalidWorldException(name, [$"not a zip archive, or truncated or corrupt ({e.Message})"]);
        }
        using (zip) return Read(entries, name, limits);
    }

    static WorldBundle Read(IReadOnlyCollection<ZipArchiveEntry> entries, string name, BundleLimits limits)
    {
        var problems = new List<string>();
        var found = ExpectedEntries(entries, problems);

        WorldManifest? manifest = null;
        AnchorTokens[] anchors = [];
        if (!found.TryGetValue(WorldManifest.MemberName, out var manifestEntry)) problems.Add($"{WorldManifest.MemberName} is missing");
        else if (ReadBounded(manifestEntry, limits.ManifestBytes, problems) is { } json && ManifestValidation.Parse(json, problems) is { } parsed)
        {
            manifest = parsed;
            anchors = ManifestValidation.Check(manifest, problems);
        }

        var graphs = new byte[ManifestValidation.MemberNames.Length][];
        for (int i = 0; i < graphs.Length; i++)
        {
            string member = ManifestValidation.MemberNames[i];
            if (!found.TryGetValue(member, out var entry)) { problems.Add($"member '{member}' is missing"); continue; }
            graphs[i] = ReadBounded(entry, limits.MemberBytes, problems)!;
            var declared = manifest?.Members.FirstOrDefault(d => d?.Name == member);
            if (graphs[i] is null || declared is null) continue;
            if (declared.Size != graphs[i].Length)
                problems.Add($"'{member}' holds {graphs[i].Length} bytes, but the manifest says {declared.Size} (size mismatch)");
            else if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(graphs[i])), declared.Sha256, StringComparison.OrdinalIgnoreCase))
                problems.Add($"'{member}' does not match its SHA-256 in the manifest (checksum mismatch: the file is damaged)");
        }

        if (problems.Count > 0) throw new InvalidWorldException(name, problems);
        return new WorldBundle(manifest!, anchors, new WorldGraphFiles(graphs[0], graphs[1], graphs[2]));
    }

    /// <summary>The entries a bundle may hold, by name; anything else is a problem.</summary>
    static Dictionary<string, ZipArchiveEntry> ExpectedEntries(IReadOnlyCollection<ZipArchiveEntry> entries, List<string> problems)
    {
        var found = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            string path = entry.FullName;
            if (UnsafePath(path) is { } why) problems.Add($"entry '{Printable(path)}' {why}");
            else if (path != WorldManifest.MemberName && !ManifestValidation.MemberNames.Contains(path)) problems.Add($"unexpected entry '{Printable(path)}'");
            else if (!found.TryAdd(path, entry)) problems.Add($"entry '{path}' appears more than once");
        }
        return found;
    }

    /// <summary>Why <paramref name="path"/> could write outside a folder it is extracted to, or null.</summary>
    static string? UnsafePath(string path) =>
        path.Length == 0 ? "has an empty name"
        : path[0] == '/' ? "is an absolute path"
        : path.Contains('\\') ? "uses backslashes"
        : path.Contains(':') ? "names a drive"
        : path.Split('/').Contains("..") ? "points outside the bundle (..)"
        : null;

    /// <summary>The entry's bytes, never inflating more than <paramref name="limit"/>; null with a problem when the
    /// declared or actual size is wrong or the data is corrupt.</summary>
    static byte[]? ReadBounded(ZipArchiveEntry entry, long limit, List<string> problems)
    {
        string name = entry.FullName;
        if (entry.Length > limit) { problems.Add($"'{name}' declares {entry.Length} bytes, above the limit of {limit}"); return null; }
        try
        {
            using var source = entry.Open();
            using var bytes = new MemoryStream();
            var crc = new Crc32();
            var chunk = new byte[81920];
            for (int n; (n = source.Read(chunk)) > 0;)
            {
                // System.IO.Compression stops at the declared size today; this bound does not depend on it.
                if (bytes.Length + n > limit) { problems.Add($"'{name}' inflates past the limit of {limit} bytes"); return null; }
                bytes.Write(chunk, 0, n);
                crc.Append(chunk.AsSpan(0, n));
            }
            if (bytes.Length != entry.Length) { problems.Add($"'{name}' inflates to {bytes.Length} bytes, but the zip declares {entry.Length}"); return null; }
            if (crc.GetCurrentHashAsUInt32() != entry.Crc32) { problems.Add($"'{name}' fails its zip CRC-32 check (the file is damaged)"); return null; }
            return bytes.ToArray();
        }
        catch (Exception e) when (IsArchiveFailure(e))
        {
            problems.Add($"'{name}' is corrupt ({e.Message})");
            return null;
        }
    }

    /// <summary>What System.IO.Compression throws on damaged archives.</summary>
    static bool IsArchiveFailure(Exception e) => e is InvalidDataException or IOException or NotSupportedException or ArgumentException;

    /// <summary>Entry names come from the file: keep control characters (terminal escapes) out of messages.</summary>
    static string Printable(string text) =>
        new(text.Take(120).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
