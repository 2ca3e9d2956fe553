using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Clap;

/// <summary>clap.plugin-factory: one plugin, <see cref="PluginDescriptor.ClapId"/>.</summary>
static unsafe class ClapFactory
{
    public static readonly ClapPluginFactory* Instance = Create();

    static ClapPluginFactory* Create()
    {
        var f = (ClapPluginFactory*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginFactory));
        f->GetPluginCount = &GetPluginCount;
        f->GetPluginDescriptor = &GetPluginDescriptor;
        f->CreatePlugin = &CreatePlugin;
        return f;
    }

    [UnmanagedCallersOnly]
    static uint GetPluginCount(ClapPluginFactory* factory) => 1;

    [UnmanagedCallersOnly]
    static ClapPluginDescriptor* GetPluginDescriptor(ClapPluginFactory* factory, uint index)
    {
        try { return index == 0 ? ClapDescriptor.Instance : null; }
        catch (Exception e) { PluginLog.Error("clap get_plugin_descriptor", e); return null; }
    }

    [UnmanagedCallersOnly]
    static ClapPlugin* CreatePlugin(ClapPluginFactory* factory, ClapHost* host, byte* pluginId)
    {
        try
        {
            if (host == null
                || !NativeText.Is(
                    pluginId, MemoryMarshal.CreateReadOnlySpanFromNullTerminated(ClapDescriptor.Instance->Id)))
                return null;
            return ClapWrapper.Create(host);
        }
        catch (Exception e)
        {
            PluginLog.Error("clap create_plugin", e);
            return null;
        }
    }
}
