namespace Distill.Runtime.Engine;

/// <summary>An installed world: its display name and bundle path.</summary>
public sealed record WorldEntry(string Name, string Path);

/// <summary>The worlds a World parameter can select, in a stable order (by file name).</summary>
public static class WorldCatalog
{
    public const string Extension = ".distill";

    /// <summary>Every <c>*.distill</c> directly in <paramref name="folder"/> (none if it does not exist), ordered
    /// ordinally by name, at most <see cref="InstrumentParameters.MaxWorlds"/>.</summary>
    public static WorldEntry[] Scan(string folder)
    {
        try
        {
            if (!Directory.Exists(folder)) return [];
            return Directory.EnumerateFiles(folder, "*" + Extension)
                .OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal)
                .Take(InstrumentParameters.MaxWorlds)
                .Select(p => new WorldEntry(Path.GetFileNameWithoutExtension(p), p))
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
