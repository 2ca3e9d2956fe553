using Microsoft.AspNetCore.Http;

namespace Distill.Trainer.Studio;

/// <summary>
/// The one folder the studio may read and write below (the user's home unless given). Every path from the page is
/// resolved through <see cref="Resolve"/>: relative to the root, normalised, and with every symbolic link on the way
/// followed, so neither <c>../../etc/passwd</c> nor a link pointing out of the root gets through.
/// </summary>
public sealed class AllowedRoot
{
    public string Path { get; }

    public AllowedRoot(string folder)
    {
        var full = System.IO.Path.GetFullPath(folder);
        Path = Real(full) ?? full;
    }

    /// <summary>The real path of <paramref name="userPath"/> (absolute, or relative to the root), which must lie inside
    /// the root; it need not exist yet.</summary>
    public string Resolve(string? userPath)
    {
        if (userPath?.Contains('\0') == true)
            throw StudioRequestException.BadRequest("A path may not contain a NUL character.");
        string path = string.IsNullOrWhiteSpace(userPath) ? Path : System.IO.Path.GetFullPath(userPath.Trim(), Path);
        string real = Real(path) ?? path;
        if (!Contains(real))
            throw new StudioRequestException(StatusCodes.Status403Forbidden,
                $"'{userPath}' is outside the folder the studio may use ({Path}).");
        return real;
    }

    /// <summary>The path relative to the root, as the page shows it ("." for the root).</summary>
    public string Relative(string realPath) => System.IO.Path.GetRelativePath(Path, realPath);

    bool Contains(string real) =>
        real == Path || real.StartsWith(Path.EndsWith('/') ? Path : Path + "/", StringComparison.Ordinal);

    /// <summary>Follows links component by component (a link's target may itself pass through links); components that
    /// do not exist yet are kept as written. Null when links nest too deep (a loop).</summary>
    static string? Real(string fullPath, int depth = 0)
    {
        if (depth > 40) return null;
        string current = "/";
        foreach (var part in fullPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string next = System.IO.Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                string? resolved = Real(System.IO.Path.GetFullPath(target, current), depth + 1);
                if (resolved is null) return null;
                next = resolved;
            }
            current = next;
        }
        return current;
    }
}
