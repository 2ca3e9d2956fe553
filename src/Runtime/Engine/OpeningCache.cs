using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Distill.Runtime.Bundle;

namespace Distill.Runtime.Engine;

/// <summary>
/// Pre-rendered openings kept on disk (<c>$XDG_CACHE_HOME/distill/openings</c>), so a world the user has played
/// before is playable the moment its sessions exist. The key covers everything the openings depend on: the
/// bundle's members (their SHA-256s), its anchors' codes, gains, levels and spectra, the opening length and the engine
/// build itself, so a new world or a new engine never reads stale audio. Files are written atomically and carry a
/// checksum; anything missing, damaged or unreadable is simply rendered again.
/// </summary>
static class OpeningCache
{
    static string Folder => Path.Combine(UserFolders.Cache, "distill", "openings");

    public static float[][]? TryRead(WorldManifest manifest, int count, int samples)
    {
        try
        {
            string path = PathFor(manifest, count, samples);
            if (!File.Exists(path)) return null;
            byte[] bytes = File.ReadAllBytes(path);
            int payload = count * samples * sizeof(float);
            if (bytes.Length != payload + 32
                || !SHA256.HashData(bytes.AsSpan(0, payload)).AsSpan().SequenceEqual(bytes.AsSpan(payload)))
                return null;
            var floats = MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, payload));
            var openings = new float[count][];
            for (int a = 0; a < count; a++) openings[a] = floats.Slice(a * samples, samples).ToArray();
            return openings;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                       or ArgumentException)
        {
            return null;
        }
    }

    public static void TryWrite(WorldManifest manifest, float[][] openings)
    {
        string? temporary = null;
        try
        {
            int samples = openings.Length == 0 ? 0 : openings[0].Length;
            string path = PathFor(manifest, openings.Length, samples);
            Directory.CreateDirectory(Folder);
            var bytes = new byte[openings.Length * samples * sizeof(float) + 32];
            for (int a = 0; a < openings.Length; a++)
                MemoryMarshal.AsBytes(openings[a].AsSpan()).CopyTo(bytes.AsSpan(a * samples * sizeof(float)));
            SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
            temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
            temporary = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException
                                       or ArgumentException)
        {
            // A cache that cannot be written costs load time next time, nothing else.
        }
        finally
        {
            if (temporary is not null)
                try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static string PathFor(WorldManifest manifest, int count, int samples)
    {
        var key = new StringBuilder();
        foreach (var m in manifest.Members) key.Append(m.Name).Append(':').Append(m.Sha256).Append(';');
        foreach (var a in manifest.Anchors)
        {
            key.Append(a.Codes).Append('@').Append(a.GainDb.ToString("R", CultureInfo.InvariantCulture));
            if (a.Levels is { } levels)
                key.Append('@').Append(levels.QuietestDb.ToString("R", CultureInfo.InvariantCulture))
                   .Append('…').Append(levels.LoudestDb.ToString("R", CultureInfo.InvariantCulture))
                   .Append('…').Append(levels.QuietestSecondDb?.ToString("R", CultureInfo.InvariantCulture));
            if (a.Spectrum is { } spectrum)
                foreach (double db in spectrum.ReplayDb.Concat(spectrum.NoteDb))
                    key.Append(',').Append(db.ToString("R", CultureInfo.InvariantCulture));
            key.Append(';');
        }
        key.Append(count).Append('x').Append(samples).Append(';').Append(EngineBuild);
        return Path.Combine(Folder,
                            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()))) + ".f32");
    }

    /// <summary>This build of the runtime: openings rendered by another build are not trusted.</summary>
    static readonly string EngineBuild = typeof(World).Assembly.ManifestModule.ModuleVersionId.ToString("N");
}
