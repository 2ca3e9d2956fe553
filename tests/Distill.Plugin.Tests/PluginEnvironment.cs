namespace Distill.Tests.Plugin;

/// <summary>
/// What the loaded plugins read from the C environment: their worlds folder ($DISTILL_WORLDS) and log file
/// ($DISTILL_LOG). Plugin tests start isolated (an empty worlds folder, a temporary log), so installed worlds on a
/// developer's machine never change a result; world tests switch the folder for one instance's life.
/// </summary>
internal static class PluginEnvironment
{
    static readonly Lazy<(string Worlds, string Log)> Isolated = new(() =>
    {
        string root = ExternalTools.TempDir("plugin-env");
        string worlds = Directory.CreateDirectory(Path.Combine(root, "no-worlds")).FullName;
        string log = Path.Combine(root, "plugin.log");
        PluginBinaries.SetNativeEnvironment("DISTILL_WORLDS", worlds);
        PluginBinaries.SetNativeEnvironment("DISTILL_LOG", log);
        return (worlds, log);
    });

    public static void Isolate() => _ = Isolated.Value;

    public static string LogPath => Isolated.Value.Log;

    /// <summary>Plugins created inside the scope see <paramref name="worldsFolder"/>.</summary>
    public static IDisposable UseWorlds(string worldsFolder)
    {
        Isolate();
        PluginBinaries.SetNativeEnvironment("DISTILL_WORLDS", worldsFolder);
        return new Restore();
    }

    /// <summary>Copies a world bundle (a file or a folder) into <paramref name="folder"/>, which then holds it as
    /// world index 0 when it held nothing else; returns the folder.</summary>
    public static string WorldsFolderWith(string bundle, string folder)
    {
        string target = Path.Combine(folder, Path.GetFileName(bundle.TrimEnd('/')));
        if (Directory.Exists(bundle))
            foreach (var file in Directory.EnumerateFiles(bundle, "*", SearchOption.AllDirectories))
            {
                string to = Path.Combine(target, Path.GetRelativePath(bundle, file));
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Copy(file, to);
            }
        else File.Copy(bundle, target);
        return folder;
    }

    sealed class Restore : IDisposable
    {
        public void Dispose() => PluginBinaries.SetNativeEnvironment("DISTILL_WORLDS", Isolated.Value.Worlds);
    }
}
