namespace Distill.Trainer.Data;

/// <summary>
/// The files under a folder, searched recursively, with every real folder and file read once: linked folders are
/// followed, but a link back to a folder already being read (a loop) or already read (a repeat) is not entered, and
/// a second name for a file already found is not listed; each such entry is reported with its reason. Hidden files
/// (names starting with '.') are left out. Files come in ordinal path order.
/// </summary>
public sealed class FolderWalk
{
    readonly Dictionary<string, string> folders = new(StringComparer.Ordinal), files = new(StringComparer.Ordinal);
    readonly List<string> found = [];
    readonly List<SkippedFile> skipped = [];

    public IReadOnlyList<string> Files => found;
    public IReadOnlyList<SkippedFile> Skipped => skipped;

    FolderWalk() { }

    public static FolderWalk Of(string root)
    {
        var walk = new FolderWalk();
        walk.folders[RealPath.Of(root) ?? Path.GetFullPath(root)] = ".";
        walk.Visit(root, "");
        walk.found.Sort(StringComparer.Ordinal);
        return walk;
    }

    void Visit(string folder, string relative)
    {
        FileSystemInfo[] entries;
        try
        {
            entries = new DirectoryInfo(folder).GetFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            skipped.Add(new SkippedFile(relative.Length == 0 ? "." : relative + "/",
                                        $"folder cannot be read: {e.Message}"));
            return;
        }
        foreach (var entry in entries)
        {
            string rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
            if (entry is DirectoryInfo)
            {
                if (RealPath.Of(entry.FullName) is not { } real)
                    skipped.Add(new SkippedFile(rel + "/",
                        "a link that cannot be followed (its target is missing, or it is a loop of links)"));
                else if (folders.TryGetValue(real, out string? first))
                    skipped.Add(new SkippedFile(rel + "/", IsAncestor(first, rel)
                        ? $"links back to '{first}', a folder it is inside (a loop): not read again"
                        : $"is the same folder as '{first}', already read"));
                else
                {
                    folders[real] = rel;
                    Visit(entry.FullName, rel);
                }
            }
            else if (!entry.Name.StartsWith('.'))
            {
                // A name .NET could not decode has no real path either: the loader explains that case.
                string? real = RealPath.Of(entry.FullName);
                if (real is null && entry.LinkTarget is { } target)
                    skipped.Add(new SkippedFile(rel,
                        $"a link to '{target}', which does not exist (or is a loop of links)"));
                else if (files.TryGetValue(real ??= entry.FullName, out string? first))
                    skipped.Add(new SkippedFile(rel, $"the same file as '{first}', already read"));
                else
                {
                    files[real] = rel;
                    found.Add(entry.FullName);
                }
            }
        }
    }

    static bool IsAncestor(string folder, string path) =>
        folder == "." || path.StartsWith(folder + "/", StringComparison.Ordinal);
}
