using System.Diagnostics;

namespace Distill.Tests;

/// <summary>Independent references (sox) run as processes. Missing tools fail loudly: CI installs
/// them through scripts/bootstrap.sh, and a silently skipped reference would prove nothing.</summary>
public static class ExternalTools
{
    public static string Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException($"'{tool}' is not installed; run scripts/bootstrap.sh (apt-get install {tool})."); }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
            return stdout.Result + stderr;
        }
    }

    public static string TempDir(string name) => Directory.CreateTempSubdirectory("distill-" + name).FullName;
}
