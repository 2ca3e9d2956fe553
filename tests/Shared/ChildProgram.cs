using System.Diagnostics;
using System.Reflection;

namespace Distill.Tests;

/// <summary>A program the tests start with <c>dotnet</c>, at the path its build baked into this test assembly
/// (tests/Shared/ChildPrograms.targets): what it loads, TorchSharp among it, stays out of the test process.</summary>
public static class ChildProgram
{
    public static ProcessStartInfo StartInfo(string assemblyName, IEnumerable<string> args)
    {
        string path = typeof(ChildProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == assemblyName)?.Value
            ?? throw new InvalidOperationException($"this test project names no child program {assemblyName}");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(path);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }
}
