using System.Diagnostics;

namespace Distill.Tests.Cli;

/// <summary>Runs the real `distill` CLI as a child process.</summary>
public static class DistillProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static Process Start(params string[] args)
    {
        var info = ChildProgram.StartInfo("distill", args);
        info.Environment["COLUMNS"] = "200";
        return Process.Start(info)!;
    }

    public static Result Run(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException("distill " + string.Join(' ', args)); }
        return new Result(p.ExitCode, stdout.Result + stderr.Result);
    }
}
