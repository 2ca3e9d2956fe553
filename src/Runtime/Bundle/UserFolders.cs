namespace Distill.Runtime.Bundle;

/// <summary>Per-user folders, XDG on Linux and the platform's equivalents elsewhere.</summary>
public static class UserFolders
{
    static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string Xdg(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v && Path.IsPathRooted(v)
            ? v : Path.Combine(Home, fallback);

    public static string Data => OperatingSystem.IsLinux() ? Xdg("XDG_DATA_HOME", ".local/share")
        : OperatingSystem.IsMacOS() ? Path.Combine(Home, "Library/Application Support")
        : Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);

    public static string State => OperatingSystem.IsLinux() ? Xdg("XDG_STATE_HOME", ".local/state")
        : OperatingSystem.IsMacOS() ? Path.Combine(Home, "Library/Logs")
        : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);

    public static string Cache => OperatingSystem.IsLinux() ? Xdg("XDG_CACHE_HOME", ".cache")
        : OperatingSystem.IsMacOS() ? Path.Combine(Home, "Library/Caches")
        : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);

    /// <summary>Where <c>distill install-world</c> puts worlds: $DISTILL_WORLDS, else
    /// &lt;data&gt;/distill/worlds.</summary>
    public static string Worlds =>
        Environment.GetEnvironmentVariable("DISTILL_WORLDS") is { Length: > 0 } path
            ? path : Path.Combine(Data, "distill", "worlds");

    /// <summary>Where plugins look for worlds, the user's first: $DISTILL_WORLDS alone when set, else the user's
    /// folder then each of $XDG_DATA_DIRS (default /usr/local/share:/usr/share) + /distill/worlds on Linux, where
    /// a system-wide install puts them.</summary>
    public static IReadOnlyList<string> WorldSearchPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DISTILL_WORLDS") is { Length: > 0 } only) return [only];
            var folders = new List<string> { Worlds };
            if (OperatingSystem.IsLinux())
            {
                string dirs = Environment.GetEnvironmentVariable("XDG_DATA_DIRS") is { Length: > 0 } d
                    ? d : "/usr/local/share:/usr/share";
                folders.AddRange(dirs.Split(':', StringSplitOptions.RemoveEmptyEntries).Where(Path.IsPathRooted)
                                     .Select(dir => Path.Combine(dir, "distill", "worlds")));
            }
            return folders.Distinct().ToArray();
        }
    }
}
