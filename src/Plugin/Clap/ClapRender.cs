using System.Runtime.InteropServices;
using Distill.Plugin.Core;

namespace Distill.Plugin.Clap;

/// <summary>clap.render: offline rendering (bounce, export) switches the core
/// to <see cref="ProcessMode.Offline"/>.</summary>
static unsafe class ClapRender
{
    public static readonly ClapPluginRender* Extension = Create();

    static ClapPluginRender* Create()
    {
        var x = (ClapPluginRender*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginRender));
        x->HasHardRealtimeRequirement = &HasHardRealtimeRequirement;
        x->Set = &Set;
        return x;
    }

    [UnmanagedCallersOnly]
    static byte HasHardRealtimeRequirement(ClapPlugin* p) => 0;

    [UnmanagedCallersOnly]
    static byte Set(ClapPlugin* p, ClapRenderMode mode)
    {
        try
        {
            if (ClapWrapper.From(p) is not { } w || mode is not (ClapRenderMode.Realtime or ClapRenderMode.Offline))
                return 0;
            w.Plugin.Mode = mode == ClapRenderMode.Offline ? ProcessMode.Offline : ProcessMode.Realtime;
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap render.set", e); return 0; }
    }
}
