using System.Runtime.InteropServices;
using Distill.Plugin.Core;

namespace Distill.Plugin.Clap;

/// <summary>clap.latency: the core's output delay in samples.</summary>
static unsafe class ClapLatency
{
    public static readonly ClapPluginLatency* Extension = Create();

    static ClapPluginLatency* Create()
    {
        var x = (ClapPluginLatency*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginLatency));
        x->Get = &Get;
        return x;
    }

    [UnmanagedCallersOnly]
    static uint Get(ClapPlugin* p)
    {
        try { return ClapWrapper.From(p) is { } w ? (uint)Math.Max(w.Plugin.LatencySamples, 0) : 0; }
        catch (Exception e) { PluginLog.Error("clap latency.get", e); return 0; }
    }
}
