using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Clap;

/// <summary>The functions clap_entry (clap_entry.c) points at. Hosts may call init and deinit more than once
/// (a scanner, then the session): they are reference-counted.</summary>
static unsafe class ClapEntry
{
    static int references;

    [UnmanagedCallersOnly(EntryPoint = "distill_clap_init")]
    static byte Init(byte* pluginPath)
    {
        try
        {
            if (Interlocked.Increment(ref references) == 1
                && OnnxRuntimeLocation.Install((nint)(delegate* unmanaged<long>)&Diagnostics.AllocatedBytes) is { } e)
                PluginLog.Error("OnnxRuntime location", e);
            return 1;
        }
        catch (Exception e)
        {
            PluginLog.Error("clap init", e);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "distill_clap_deinit")]
    static void Deinit()
    {
        // An unbalanced deinit must not drive the count below zero.
        int seen;
        do seen = Volatile.Read(ref references);
        while (seen > 0 && Interlocked.CompareExchange(ref references, seen - 1, seen) != seen);
    }

    [UnmanagedCallersOnly(EntryPoint = "distill_clap_get_factory")]
    static void* GetFactory(byte* factoryId)
    {
        try
        {
            return NativeText.Is(factoryId, ClapIds.PluginFactory) ? ClapFactory.Instance : null;
        }
        catch (Exception e)
        {
            PluginLog.Error("clap get_factory", e);
            return null;
        }
    }
}
