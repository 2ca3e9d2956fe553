using System.Runtime.InteropServices;

namespace Distill.Runtime.Audio;

/// <summary>
/// While alive, the process's standard error (file descriptor 2) goes to /dev/null. Decoders inside libsndfile
/// (mpg123 in particular) print notes about damaged data straight to it, which would tangle the trainer's output; the
/// loader reports what went wrong in its own words instead. Process-wide, so held only around single decoder calls.
/// </summary>
sealed partial class QuietStandardError : IDisposable
{
    const int StandardError = 2, WriteOnly = 1;
    readonly int saved = -1;

    [LibraryImport("libc", EntryPoint = "dup")]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2")]
    private static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    public QuietStandardError()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        int devNull = Open("/dev/null", WriteOnly);
        if (devNull < 0) return;
        saved = Dup(StandardError);
        if (saved >= 0) Dup2(devNull, StandardError);
        Close(devNull);
    }

    public void Dispose()
    {
        if (saved < 0) return;
        Dup2(saved, StandardError);
        Close(saved);
    }
}
