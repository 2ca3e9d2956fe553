using System.Runtime.InteropServices;

namespace Distill.Trainer.Data;

/// <summary>The canonical path of a file or folder: absolute, every symbolic link resolved (libc <c>realpath</c>), so
/// two paths name the same thing exactly when their real paths are equal.</summary>
public static partial class RealPath
{
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Resolve(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>The real path, or null when it cannot be resolved (missing, a link loop, no permission).</summary>
    public static string? Of(string path)
    {
        if (OperatingSystem.IsWindows()) return Path.Exists(path) ? Path.GetFullPath(path) : null;
        nint resolved = Resolve(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { Free(resolved); }
    }

    /// <summary>The real path of something that may not exist yet: its nearest existing ancestor's real path with the
    /// rest appended.</summary>
    public static string OfFuture(string path)
    {
        string full = Path.GetFullPath(path), rest = "";
        for (string? at = full; at is not null; at = Path.GetDirectoryName(at))
        {
            if (Of(at) is { } real) return Path.Join(real, rest);
            rest = Path.Join(Path.GetFileName(at), rest);
        }
        return full;
    }

    /// <summary>Whether <paramref name="inner"/> is <paramref name="outer"/> or lies inside it (both real
    /// paths).</summary>
    public static bool IsWithin(string inner, string outer) =>
        inner == outer
        || inner.StartsWith(Path.TrimEndingDirectorySeparator(outer) + Path.DirectorySeparatorChar,
                            StringComparison.Ordinal);
}
