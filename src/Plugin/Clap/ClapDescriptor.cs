using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Clap;

/// <summary>The one clap_plugin_descriptor, built from <see cref="PluginDescriptor"/> and kept for the
/// process's life.</summary>
static unsafe class ClapDescriptor
{
    public static readonly ClapPluginDescriptor* Instance = Create();

    static ClapPluginDescriptor* Create()
    {
        var d = (ClapPluginDescriptor*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginDescriptor));
        d->ClapVersion = ClapVersion.Current;
        d->Id = NativeText.Persistent(PluginDescriptor.ClapId);
        d->Name = NativeText.Persistent(PluginDescriptor.Name);
        d->Vendor = NativeText.Persistent(PluginDescriptor.Vendor);
        d->Url = NativeText.Persistent(PluginDescriptor.Url);
        d->ManualUrl = NativeText.Persistent(PluginDescriptor.Url);
        d->SupportUrl = NativeText.Persistent(PluginDescriptor.Url);
        d->Version = NativeText.Persistent(PluginDescriptor.Version);
        d->Description = NativeText.Persistent(PluginDescriptor.Description);
        var features = PluginDescriptor.ClapFeatures;
        d->Features = (byte**)NativeMemory.AllocZeroed((nuint)(features.Length + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < features.Length; i++) d->Features[i] = NativeText.Persistent(features[i]);
        return d;
    }
}
