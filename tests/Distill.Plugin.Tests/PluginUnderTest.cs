using System.Runtime.InteropServices;

namespace Distill.Tests.Plugin;

public enum HostEventKind { NoteOn, NoteOff, NoteChoke, Parameter, Midi }

/// <summary>What a test host sends in a block, before translation into CLAP or VST3 structures.</summary>
public readonly record struct HostEvent(int Offset, HostEventKind Kind, int Key = 0, double Value = 0, uint Parameter = 0,
                                        byte Status = 0, byte Data1 = 0, byte Data2 = 0)
{
    public static HostEvent NoteOn(int offset, int key, double velocity = 0.8) => new(offset, HostEventKind.NoteOn, key, velocity);
    public static HostEvent NoteOff(int offset, int key) => new(offset, HostEventKind.NoteOff, key);
    /// <summary>A parameter change in plain units (VST3 hosts convert to normalized through the plugin's controller).</summary>
    public static HostEvent Param(int offset, uint id, double plain) => new(offset, HostEventKind.Parameter, Value: plain, Parameter: id);
    public static HostEvent Midi(int offset, byte status, byte data1, byte data2) =>
        new(offset, HostEventKind.Midi, Status: status, Data1: data1, Data2: data2);
}

public sealed record HostParameterInfo(uint Id, string Name, double Min, double Max, double Default, bool Stepped, bool Automatable);

/// <summary>One instance of a real plugin binary, driven through its C ABI by our own host code.</summary>
public interface IPluginUnderTest : IDisposable
{
    string Format { get; }
    bool Activate(double sampleRate, int maxFrames);
    void Deactivate();
    /// <summary>Renders <paramref name="frames"/> into the arrays (at least that long). False when the plugin
    /// reports an error (as it should when not active).</summary>
    bool Process(int frames, ReadOnlySpan<HostEvent> events, float[] left, float[] right);
    int ParameterCount { get; }
    HostParameterInfo ParameterInfo(int index);
    double GetValue(uint id);
    string? ValueToText(uint id, double plain);
    double? TextToValue(uint id, string text);
    byte[]? SaveState();
    bool LoadState(byte[] bytes);
    uint LatencySamples { get; }
    void SetOffline(bool offline);
    /// <summary>The plugin runtime's allocated-bytes counter for the calling thread.</summary>
    long AllocatedBytes();
    /// <summary>A full collection in the plugin runtime (empties the calling thread's allocation context).</summary>
    void CollectGarbage();
}

public static class PluginFormats
{
    public const string Clap = "clap", Vst3 = "vst3";
    public static TheoryData<string> Both => new() { Clap, Vst3 };

    public static IPluginUnderTest Create(string format) => format switch
    {
        Clap => new ClapPluginUnderTest(ClapModule.Shared),
        Vst3 => new Vst3PluginUnderTest(Vst3Module.Shared),
        _ => throw new ArgumentException(format),
    };
}

/// <summary>Where scripts/build-plugins.sh put the binaries, and the process environment the plugins read.</summary>
public static class PluginBinaries
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Folder => Path.Combine(RepositoryRoot, "out", "plugins");
    public static string ClapPath => Existing(Path.Combine(Folder, "Distill.clap"));
    public static string Vst3Bundle => Existing(Path.Combine(Folder, "Distill.vst3"));
    public static string Vst3Binary => Existing(Path.Combine(Vst3Bundle, "Contents", "x86_64-linux", "Distill.so"));

    static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path
            : throw new FileNotFoundException($"{path} is missing: run scripts/build-plugins.sh (scripts/test.sh does) before the plugin tests.");

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PluginSuite.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (PluginSuite.sln) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Sets a variable in the C environment, which is what code inside a loaded plugin reads
    /// (Environment.SetEnvironmentVariable only changes this runtime's own copy).</summary>
    public static void SetNativeEnvironment(string name, string value)
    {
        if (setenv(name, value, 1) != 0) throw new InvalidOperationException($"setenv {name} failed");
    }

    [DllImport("libc.so.6")]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
