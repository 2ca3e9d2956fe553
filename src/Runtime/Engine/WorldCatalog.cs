namespace Distill.Runtime.Engine;

/// <summary>An installed world: its display name and bundle path.</summary>
public sealed record WorldEntry(string Name, string Path);

/// <summary>The worlds a World parameter can select, in a stable order (by file name).</summary>
public static class WorldCatalog
{
    public const string Extension = ".distill";

    /// <summary>Every <c>*.distill</c> directly in the folders (missing ones skipped), ordered ordinally by name; a
    /// name in an earlier folder hides the same name in later ones. At
    /// most <see cref="InstrumentParameters.MaxWorlds"/>.</summary>
    public static WorldEntry[] Scan(params IEnumerable<string> folders) =>
        folders.SelectMany(Files)
               .DistinctBy(p => Path.GetFileNameWithoutExtension(p))
               .OrderBy(p => Path.GetFileName(p), StringComparer.Ordinal)
               .Take(InstrumentParameters.MaxWorlds)
               .Select(p => new WorldEntry(Path.GetFileNameWithoutExtension(p), p))
               .ToArray();

    static IEnumerable<string> Files(string folder)
    {
        try
        {
            return Directory.Exists(folder) ? Directory.GetFiles(folder, "*" + Extension) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
