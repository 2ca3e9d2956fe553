using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;
using Distill.Runtime.Text;

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
        if (!found.TryGetValue(WorldManifest.MemberName, out var manifestEntry))
            problems.Add($"{WorldManifest.MemberName} is missing");
        else if (ReadBounded(manifestEntry, limits.ManifestBytes, problems) is { } json
            && ManifestValidation.Parse(json, problems) is { } parsed)
        {
            manifest = parsed;
            anchors = ManifestValidation.Check(manifest, problems);
        }

        var graphs = new byte[ManifestValidation.MemberNames.Length][];
        for (int i = 0; i < graphs.Length; i++)
        {
            string member = ManifestValidation.MemberNames[i];
            if (!found.TryGetValue(member, out var entry)) { problems.Add($"member '{member}' is missing"); continue; }
            var declared = manifest?.Members.FirstOrDefault(d => d?.Name == member);
            // A size the manifest does not vouch for is never inflated: a zip bomb costs nothing.
            if (declared is not null && declared.Size != entry.Length)
            {
                problems.Add($"'{member}' is {entry.Length} bytes in the zip, but the manifest says " +
                             $"{declared.Size} (size mismatch)");
                continue;
            }
            // A bundle with problems never loads: its members are only checked, in constant memory, not kept.
            graphs[i] = ReadBounded(entry, limits.MemberBytes, problems, declared?.Sha256,
                                    keep: declared is not null && problems.Count == 0)!;
        }

        if (problems.Count > 0) throw new InvalidWorldException(name, problems);
        return new WorldBundle(manifest!, anchors, new WorldGraphFiles(graphs[0], graphs[1], graphs[2]));
    }

    /// <summary>The entries a bundle may hold, by name; anything else is a problem.</summary>
    static Dictionary<string, ZipArchiveEntry> ExpectedEntries(IReadOnlyCollection<ZipArchiveEntry> entries,
                                                               List<string> problems)
    {
        var found = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            string path = entry.FullName;
            if (UnsafePath(path) is { } why) problems.Add($"entry '{Printable(path)}' {why}");
            else if (path != WorldManifest.MemberName && !ManifestValidation.MemberNames.Contains(path))
                problems.Add($"unexpected entry '{Printable(path)}'");
            else if (!found.TryAdd(path, entry)) problems.Add($"entry '{Printable(path)}' appears more than once");
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

    /// <summary>The entry's bytes, inflated straight into one array of the size the zip declares (at most
    /// <paramref name="limit"/>), so memory never exceeds the real content; null with a problem when the declared or
    /// actual size is wrong, the data is corrupt, or it does not match <paramref name="sha256"/> (when given). With
    /// <paramref name="keep"/> false nothing is kept (the entry is only checked, in constant memory) and the result is
    /// always null.</summary>
    static byte[]? ReadBounded(ZipArchiveEntry entry, long limit, List<string> problems, string? sha256 = null,
                               bool keep = true)
    {
        string name = entry.FullName;
        if (entry.Length > limit)
        {
            problems.Add($"'{name}' declares {entry.Length} bytes, above the limit of {limit}");
            return null;
        }
        try
        {
            using var source = entry.Open();
            var bytes = keep ? new byte[entry.Length] : null;
            var chunk = new byte[81920];
            var crc = new Crc32();
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            for (int n; (n = source.Read(chunk)) > 0; total += n)
            {
                // System.IO.Compression stops at the declared size today; this bound does not depend on it.
                if (total + n > entry.Length)
                {
                    problems.Add($"'{name}' inflates past the {entry.Length} bytes the zip declares");
                    return null;
                }
                if (bytes is not null) chunk.AsSpan(0, n).CopyTo(bytes.AsSpan((int)total));
                crc.Append(chunk.AsSpan(0, n));
                sha.AppendData(chunk, 0, n);
            }
            if (total != entry.Length)
            {
                problems.Add($"'{name}' inflates to {total} bytes, but the zip declares {entry.Length}");
                return null;
            }
            if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
            {
                problems.Add($"'{name}' fails its zip CRC-32 check (the file is damaged)");
                return null;
            }
            if (sha256 is not null
                && !string.Equals(Convert.ToHexStringLower(sha.GetHashAndReset()), sha256,
                                  StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"'{name}' does not match its SHA-256 in the manifest " +
                             "(checksum mismatch: the file is damaged)");
                return null;
            }
            return bytes;
        }
        catch (Exception e) when (IsArchiveFailure(e))
        {
            problems.Add($"'{name}' is corrupt ({e.Message})");
            return null;
        }
    }

    /// <summary>What System.IO.Compression throws on damaged archives.</summary>
    static bool IsArchiveFailure(Exception e) =>
        e is InvalidDataException or IOException or NotSupportedException or ArgumentException;

    /// <summary>Entry names come from the file: shortened, with control characters (terminal escapes)
    /// escaped.</summary>
    static string Printable(string text) => DisplayText.Escape(text.Length > 120 ? text[..120] + "…" : text);
}
