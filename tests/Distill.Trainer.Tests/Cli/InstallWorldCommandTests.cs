using System.Diagnostics;

namespace Distill.Tests.Cli;

[Collection(TorchCollection.Name)]
public class InstallWorldCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static (int Code, string Output) Install(string worlds, params string[] args)
    {
        var info = ChildProgram.StartInfo("distill", ["install-world", .. args]);
        info.Environment["DISTILL_WORLDS"] = worlds;
        using var p = Process.Start(info)!;
        string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, text);
    }

    [Fact]
    public void InstallsValidWorldsOnlyAndNeverOverwritesByAccident()
    {
        string worlds = Path.Combine(ExternalTools.TempDir("install-world"), "worlds");
        var (code, text) = Install(worlds, TestWorld.BundlePath, "--name", "drones");
        output.WriteLine(text);
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllBytes(TestWorld.BundlePath), File.ReadAllBytes(Path.Combine(worlds, "drones.distill")));

        (code, text) = Install(worlds, TestWorld.BundlePath, "--name", "drones");
        Assert.Equal(2, code);
        Assert.Contains("--force", text);
        Assert.Equal(0, Install(worlds, TestWorld.BundlePath, "--name", "drones", "--force").Code);

        string broken = Path.Combine(ExternalTools.TempDir("install-broken"), "broken.distill");
        File.WriteAllBytes(broken, File.ReadAllBytes(TestWorld.BundlePath)[..1000]);
        (code, text) = Install(worlds, broken);
        output.WriteLine(text);
        Assert.Equal(2, code);
        Assert.Contains("not a valid world", text);
        Assert.Equal(["drones.distill"], Directory.GetFiles(worlds).Select(Path.GetFileName));
    }

    [Fact]
    public void AWorldWhoseGraphsCannotLoadIsRefusedAsThePluginsWould()
    {
        // Manifest, sizes and checksums all consistent, but the graphs are not ONNX: the old check let this in.
        string folder = ExternalTools.TempDir("install-graphs"), worlds = Path.Combine(folder, "worlds"), path = Path.Combine(folder, "fake.distill");
        var models = Bundle.SyntheticBundle.Models();
        Distill.Runtime.Bundle.WorldBundleWriter.Write(path, Bundle.SyntheticBundle.Manifest(models), models);
        var (code, text) = Install(worlds, path);
        output.WriteLine(text);
        Assert.Equal(2, code);
        Assert.Contains("OnnxRuntime cannot load it", text);
        Assert.False(Directory.Exists(worlds) && Directory.GetFiles(worlds).Length > 0);
    }
}
