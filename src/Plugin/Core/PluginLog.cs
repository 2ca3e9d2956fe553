using Distill.Runtime.Bundle;

namespace Distill.Plugin.Core;

/// <summary>
/// Append-only log file for what a plugin cannot show the user any other way (a world that failed to load,
/// an exception caught at the ABI boundary). Never called from the audio thread. Failures to write are
/// swallowed: logging must not be able to break the host.
/// </summary>
public static class PluginLog
{
    static readonly object Gate = new();

    /// <summary>$DISTILL_LOG, else $XDG_STATE_HOME/distill/plugin.log (~/.local/state/distill/plugin.log).</summary>
    public static string FilePath =>
        Environment.GetEnvironmentVariable("DISTILL_LOG") is { Length: > 0 } path ? path
            : Path.Combine(UserFolders.State, "distill", "plugin.log");

    public static void Write(string message)
    {
        try
        {
            lock (Gate)
            {
                string path = FilePath;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path,
                                   $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} [{Environment.ProcessId}] {message}\n");
            }
        }
        catch
        {
            // Nowhere left to report to.
        }
    }

    public static void Error(string where, Exception e) =>
        Write($"error in {where}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
}
