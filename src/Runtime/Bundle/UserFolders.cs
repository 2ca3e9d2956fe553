namespace Distill.Runtime.Bundle;

/// <summary>Per-user folders, XDG on Linux and the platform's equivalents elsewhere.</summary>
public static class UserFolders
{
    static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string Xdg(string variable, string fallback) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v && Path.IsPathRooted(v) ? v : Path.Combine(Home, fallback);

    public static string Data => OperatingSystem.IsLinux() ? Xdg("XDG_DATA_HOME", ".local/share")
        : OperatingSystem.IsMacOS() ? Path.Combine(Home, "Library/Application Support")
        : Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);

    public static string State => OperatingSystem.IsLinux() ? Xdg("XDG_STATE_HOME", ".local/state")
        : OperatingSystem.IsMacOS() ? Path.Combine(Home, "Library/Logs")
        : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);

    /// <summary>Where installed worlds live: $DISTILL_WORLDS, else &lt;data&gt;/distill/worlds.</summary>
    public static string Worlds =>
        Environment.GetEnvironmentVariable("DISTILL_WORLDS") is { Length: > 0 } path ? path : Path.Combine(Data, "distill", "worlds");
}
