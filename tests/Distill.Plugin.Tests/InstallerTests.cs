using Xunit.Abstractions;

namespace Distill.Tests.Plugin;

/// <summary>installer/install.sh for a user (a temporary HOME) and system-wide (staged with DESTDIR): the hosts
/// find the installed plugins, the CLI launcher runs, and uninstalling leaves exactly what was there before.</summary>
public class InstallerTests(ITestOutputHelper output)
{
    static string Script => Path.Combine(PluginBinaries.RepositoryRoot, "installer", "install.sh");

    /// <summary>The host's environment with HOME moved; dotnet keeps this machine's package cache, so building the
    /// CLI for the install restores nothing from the network.</summary>
    static Dictionary<string, string> Environment(IsolatedHome home)
    {
        var env = home.Environment;
        string realHome = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        env["NUGET_PACKAGES"] = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(realHome, ".nuget", "packages");
        env["DOTNET_CLI_HOME"] = realHome;
        env["NUGET_HTTP_CACHE_PATH"] = Path.Combine(realHome, ".local", "share", "NuGet", "http-cache");
        env["DOTNET_NOLOGO"] = "1";
        return env;
    }

    static string Install(IDictionary<string, string> env, params string[] args)
    {
        var r = RealHosts.Run("bash", [Script, .. args], env, timeout: TimeSpan.FromMinutes(8));
        if (r.ExitCode != 0) throw new Xunit.Sdk.XunitException($"install.sh {string.Join(' ', args)} failed ({r.ExitCode}):\n{r.Output}");
        return r.Output;
    }

    static SortedSet<string> Snapshot(string root) =>
        new(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p))
            // What the hosts' scanners and dotnet write for themselves (caches, settings) is not the installer's.
            .Where(p => !p.StartsWith(".cache", StringComparison.Ordinal) && !p.StartsWith(".config", StringComparison.Ordinal)
                        && !p.StartsWith(Path.Combine(".local", "share", "NuGet"), StringComparison.Ordinal) && p != "distill.log"));

    [Fact]
    public void UserInstallIsFoundByTheHostsAndUninstallLeavesNothing()
    {
        var home = new IsolatedHome();
        try { UserInstall(home); }
        finally { Directory.Delete(home.Root, recursive: true); } // half a gigabyte of CLI if a step failed
    }

    void UserInstall(IsolatedHome home)
    {
        var env = Environment(home);
        string world = Path.Combine(ExternalTools.TempDir("installer-world"), "demo.distill");
        File.WriteAllBytes(world, [1, 2, 3]);
        Directory.CreateDirectory(Path.Combine(home.Root, ".local", "share", "other-app"));
        var before = Snapshot(home.Root);

        output.WriteLine(Install(env, "--world", world));
        string clap = Path.Combine(home.Root, ".clap", "Distill", "Distill.clap");
        string vst3 = Path.Combine(home.Root, ".vst3", "Distill.vst3");
        Assert.True(File.Exists(Path.Combine(home.Root, ".clap", "Distill", "libonnxruntime.so")));
        Assert.True(File.Exists(Path.Combine(home.Root, ".local", "share", "distill", "worlds", "demo.distill")));
        // Hosts search ~/.clap recursively for *.clap and ~/.vst3 for *.vst3 bundles.
        Assert.Equal([clap], Directory.GetFiles(Path.Combine(home.Root, ".clap"), "*.clap", SearchOption.AllDirectories));
        Assert.Equal([vst3], Directory.GetDirectories(Path.Combine(home.Root, ".vst3"), "*.vst3"));
        var fields = RealHosts.QtractorScan(clap, home);
        Assert.Equal(["Distill", "0:2", "1:0"], fields[1..4]);
        Assert.Contains("n_outputs=\"2\"", RealHosts.ArdourScan(vst3, home));
        var help = RealHosts.Run(Path.Combine(home.Root, ".local", "bin", "distill"), ["--help"], env);
        Assert.True(help.ExitCode == 0 && help.Output.Contains("distill", StringComparison.Ordinal), help.Output);

        output.WriteLine(Install(env, "--uninstall"));
        Assert.Equal(before, Snapshot(home.Root));
    }

    [Fact]
    public void SystemInstallStagesIntoTheStandardFoldersAndUninstallsCleanly()
    {
        var home = new IsolatedHome();
        string root = ExternalTools.TempDir("installer-root");
        try { SystemInstall(home, root); }
        finally { Directory.Delete(root, recursive: true); Directory.Delete(home.Root, recursive: true); }
    }

    void SystemInstall(IsolatedHome home, string root)
    {
        var env = Environment(home);
        env["DESTDIR"] = root;
        output.WriteLine(Install(env, "--system"));
        Assert.True(File.Exists(Path.Combine(root, "usr/lib/clap/Distill/Distill.clap")));
        Assert.True(File.Exists(Path.Combine(root, "usr/lib/clap/Distill/libonnxruntime.so")));
        Assert.True(File.Exists(Path.Combine(root, "usr/lib/vst3/Distill.vst3/Contents/x86_64-linux/Distill.so")));
        Assert.True(File.Exists(Path.Combine(root, "usr/local/lib/distill/distill.dll")));
        // The launcher names the final location, not the staging root.
        Assert.Contains("\"/usr/local/lib/distill/distill.dll\"", File.ReadAllText(Path.Combine(root, "usr/local/bin/distill")));
        Assert.Equal("0:2", RealHosts.QtractorScan(Path.Combine(root, "usr/lib/clap/Distill/Distill.clap"), home)[2]);

        output.WriteLine(Install(env, "--system", "--uninstall"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }
}
