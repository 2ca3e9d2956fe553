using System.Diagnostics;
using Distill.Runtime.Demo;

namespace Distill.Tests;

/// <summary>
/// A small real world for the engine and plugin tests, trained by tests/Distill.TestWorld in a child process (so this
/// one never loads TorchSharp), once per build of the trainer and runtime, and cached in the temp folder.
/// </summary>
public static class TestWorld
{
    static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Path of the exported bundle.</summary>
    public static string BundlePath => Built.Value;

    /// <summary>The demo textures the world was trained on (one file each, 2 s).</summary>
    public static int Anchors => DemoCorpus.Textures.Count;

    static string Build()
    {
        using var p = Process.Start(ChildProgram.StartInfo("Distill.TestWorld", []))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Patient: another test process may be training it, and training alone takes minutes on 2 cores.
        if (!p.WaitForExit(TimeSpan.FromMinutes(30))) { p.Kill(true); throw new TimeoutException("Distill.TestWorld"); }
        // The path is the last line: training may print its progress before it.
        string bundle = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "";
        if (p.ExitCode != 0 || !File.Exists(bundle))
            throw new InvalidOperationException($"test world not built (exit {p.ExitCode}): {bundle}\n{stderr.Result}");
        return bundle;
    }
}
