namespace Distill.Tests.Plugin;

/// <summary>The plugins are compiled for x86-64-v3 (AVX2, FMA). On an older CPU the NativeAOT runtime would stop the
/// host's whole process as it starts; the C entry points refuse first. Checked on emulated CPUs (qemu-user): a Sandy
/// Bridge (AVX, no AVX2) gets a refusal and a surviving host, a Haswell (the oldest x86-64-v3 Intel) a working
/// plugin.</summary>
public class CpuLevelTests
{
    static readonly Lazy<string> Probe = new(() =>
    {
        string folder = ExternalTools.TempDir("entry-probe");
        string binary = Path.Combine(folder, "entry_probe");
        ExternalTools.Run("cc", "-O1", "-Wall", "-Werror", "-o", binary,
                          Path.Combine(PluginBinaries.RepositoryRoot, "tests", "Distill.Plugin.Tests", "Native",
                                       "entry_probe.c"), "-ldl");
        return binary;
    });

    static string Binary(string format) => format == PluginFormats.Clap ? PluginBinaries.ClapPath : PluginBinaries.Vst3Binary;

    static string Load(string format, string cpu) =>
        ExternalTools.Run("qemu-x86_64", "-cpu", cpu, Probe.Value, format, Binary(format));

    [Theory]
    [InlineData(PluginFormats.Clap, "SandyBridge", false)]
    [InlineData(PluginFormats.Vst3, "SandyBridge", false)]
    [InlineData(PluginFormats.Clap, "Haswell", true)]
    [InlineData(PluginFormats.Vst3, "Haswell", true)]
    public void OnlyACpuWithAvx2LoadsThePluginAndTheHostLivesOn(string format, string cpu, bool loads)
    {
        string said = Load(format, cpu);
        int answer = loads ? 1 : 0;
        Assert.Contains(format == PluginFormats.Clap ? $"loaded {answer} factory {answer}\n"
                                                     : $"loaded {answer} factory {answer} exit 1\n", said);
        Assert.Contains("host alive", said);
        Assert.Equal(!loads, said.Contains("this CPU lacks AVX2/FMA"));
    }
}
