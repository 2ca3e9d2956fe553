using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Vst3;

/// <summary>The module's exports, called through vst3_entry.c (which checks the CPU first). On Linux all three are
/// mandatory (Ardour rejects a module without them).</summary>
static unsafe class Vst3Entry
{
    [UnmanagedCallersOnly(EntryPoint = "distill_vst3_module_entry")]
    static byte ModuleEntry(void* sharedLibraryHandle)
    {
        InstallOnnxRuntime();
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "distill_vst3_module_exit")]
    static byte ModuleExit() => 1;

    /// <summary>Returns the factory with a reference the host releases.</summary>
    [UnmanagedCallersOnly(EntryPoint = "distill_vst3_get_plugin_factory")]
    static void* GetPluginFactory()
    {
        try
        {
            InstallOnnxRuntime(); // some hosts skip ModuleEntry
            return Vst3Factory.Acquire();
        }
        catch (Exception e)
        {
            PluginLog.Error("vst3 GetPluginFactory", e);
            return null;
        }
    }

    static void InstallOnnxRuntime()
    {
        if (OnnxRuntimeLocation.Install((nint)(delegate* unmanaged<long>)&Diagnostics.AllocatedBytes) is { } e)
            PluginLog.Error("OnnxRuntime location", e);
    }
}
