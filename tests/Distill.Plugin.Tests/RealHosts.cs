using System.Diagnostics;

namespace Distill.Tests.Plugin;

/// <summary>A throwaway home for a host process: HOME and every XDG folder inside one temporary folder, so hosts
/// neither read nor write the user's configuration, caches, worlds or installed plugins.</summary>
internal sealed class IsolatedHome
{
    public string Root { get; } = ExternalTools.TempDir("host-home");
    public string Cache => Path.Combine(Root, ".cache");
    public Dictionary<string, string> Environment => new()
    {
        ["HOME"] = Root,
        ["XDG_CACHE_HOME"] = Cache,
        ["XDG_CONFIG_HOME"] = Path.Combine(Root, ".config"),
        ["XDG_DATA_HOME"] = Path.Combine(Root, ".local", "share"),
        ["XDG_STATE_HOME"] = Path.Combine(Root, ".local", "state"),
        ["DISTILL_LOG"] = Path.Combine(Root, "distill.log"),
        ["CLAP_PATH"] = "",
        ["VST3_PATH"] = "",
    };
}

/// <summary>The real hosts from Debian's packages, run as processes (scripts/bootstrap.sh installs them).</summary>
internal static class RealHosts
{
    public const string QtractorScanner = "/usr/lib/x86_64-linux-gnu/qtractor/qtractor_plugin_scan";
    public const string ArdourLibraries = "/usr/lib/ardour7";
    public const string ArdourVst3Scanner = "/usr/lib/ardour7/ardour-vst3-scanner";
    public const string ArdourLua = "ardour7-lua";

    public sealed record Result(int ExitCode, string Output, bool TimedOut);

    public static Result Run(string file, IEnumerable<string> args, IDictionary<string, string> environment, string? input = null,
                             TimeSpan? timeout = null)
    {
        if (file.StartsWith('/') && !File.Exists(file))
            throw new InvalidOperationException($"{file} is missing: run scripts/bootstrap.sh (apt packages qtractor and ardour).");
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (input != null) p.StandardInput.Write(input);
        p.StandardInput.Close();
        bool exited = p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2));
        if (!exited) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return new Result(exited ? p.ExitCode : -1, stdout.Result + stderr.Result, !exited);
    }

    /// <summary>Hosts crash now and then in teardown: up to three runs, each judged by <paramref name="succeeded"/>
    /// (never by the exit code alone); a failure after the third shows every run's output.</summary>
    public static T Retry<T>(string what, Func<(bool Succeeded, T Value, string Output)> attempt)
    {
        var outputs = new List<string>();
        for (int i = 1; i <= 3; i++)
        {
            var (ok, value, output) = attempt();
            if (ok) return value;
            outputs.Add($"--- {what}, try {i} ---\n{output}");
        }
        throw new Xunit.Sdk.XunitException($"{what} failed three times:\n{string.Join("\n", outputs)}");
    }

    /// <summary>Qtractor's scanner line for a CLAP file: CLAP|name|audioIn:audioOut|midiIn:midiOut|ctrlIn:ctrlOut|flags|path|index|hash.</summary>
    public static string[] QtractorScan(string clapFile, IsolatedHome home) =>
        Retry("qtractor_plugin_scan", () =>
        {
            var r = Run(QtractorScanner, [], home.Environment, $"CLAP:{clapFile}\n");
            string? line = r.Output.Split('\n').FirstOrDefault(l => l.StartsWith("CLAP|", StringComparison.Ordinal));
            return (line != null, line?.Split('|') ?? [], r.Output);
        });

    /// <summary>Ardour's VST3 scanner on a bundle (absolute path: its cache is keyed by the path string); returns the
    /// cache entry it wrote.</summary>
    public static string ArdourScan(string bundle, IsolatedHome home) =>
        Retry("ardour-vst3-scanner", () =>
        {
            var env = home.Environment;
            env["LD_LIBRARY_PATH"] = ArdourLibraries;
            var r = Run(ArdourVst3Scanner, [Path.GetFullPath(bundle)], env);
            string folder = Path.Combine(home.Cache, "ardour7", "vst");
            string? cache = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.v3i").FirstOrDefault() : null;
            bool ok = r.Output.Contains("Found Plugin: Distill", StringComparison.Ordinal) && cache != null;
            return (ok, ok ? File.ReadAllText(cache!) : "", r.Output);
        });
}
