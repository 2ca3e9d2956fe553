using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Distill.Plugin.Interop;

/// <summary>
/// Makes OnnxRuntime load the libonnxruntime.so that ships beside the plugin binary. Inside a host process
/// DllImport searches beside the host's executable, not the plugin, so ORT's own resolver is switched off and
/// ours loads the library by absolute path from the folder of the module that contains <paramref name="ownExport"/>.
/// </summary>
static unsafe class OnnxRuntimeLocation
{
    static int installed;

    /// <summary>Once per process, before any ORT type runs. Never throws: returns what went wrong, for the format
    /// layer to log, or null.</summary>
    public static Exception? Install(nint ownExport)
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return null;
        try
        {
            string? folder = ModuleFolder(ownExport);
            OrtEnv.DisableDllImportResolver = true;
            NativeLibrary.SetDllImportResolver(typeof(OrtEnv).Assembly, (name, _, _) => Resolve(folder, name));
        }
        catch (Exception e)
        {
            return e;
        }
        return null;
    }

    /// <summary>Folder of the shared object that holds <paramref name="address"/> (dladdr).</summary>
    public static string? ModuleFolder(nint address)
    {
        DlInfo info;
        if (dladdr(address, &info) == 0 || info.FileName == 0) return null;
        return Path.GetDirectoryName(Marshal.PtrToStringUTF8(info.FileName));
    }

    static nint Resolve(string? folder, string name)
    {
        if (folder is null || !name.Contains("onnxruntime", StringComparison.Ordinal)) return 0;
        string file = name.EndsWith(".so", StringComparison.Ordinal) ? name : $"lib{name}.so";
        return NativeLibrary.TryLoad(Path.Combine(folder, file), out nint handle) ? handle : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct DlInfo
    {
        public nint FileName, BaseAddress, SymbolName, SymbolAddress;
    }

    [DllImport("libc.so.6")]
    static extern int dladdr(nint address, DlInfo* info);
}
