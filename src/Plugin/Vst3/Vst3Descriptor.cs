using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Vst3;

/// <summary>The factory's and the one class's descriptions, from <see cref="PluginDescriptor"/>.</summary>
static unsafe class Vst3Descriptor
{
    public const string SdkVersion = "VST 3.7.9";

    public static void Fill(PFactoryInfo* info)
    {
        *info = default;
        NativeText.WriteUtf8(PluginDescriptor.Vendor, info->Vendor, 64);
        NativeText.WriteUtf8(PluginDescriptor.Url, info->Url, 256);
        info->Flags = Vst3Constants.FactoryUnicode;
    }

    public static void Fill(PClassInfo* info)
    {
        *info = default;
        Vst3Iid.Write(PluginDescriptor.Vst3ClassId, info->Cid);
        info->Cardinality = Vst3Constants.ManyInstances;
        NativeText.WriteUtf8(Vst3Constants.AudioModuleClass, info->Category, 32);
        NativeText.WriteUtf8(PluginDescriptor.Name, info->Name, 64);
    }

    public static void Fill(PClassInfo2* info)
    {
        *info = default;
        Vst3Iid.Write(PluginDescriptor.Vst3ClassId, info->Cid);
        info->Cardinality = Vst3Constants.ManyInstances;
        NativeText.WriteUtf8(Vst3Constants.AudioModuleClass, info->Category, 32);
        NativeText.WriteUtf8(PluginDescriptor.Name, info->Name, 64);
        NativeText.WriteUtf8(PluginDescriptor.Vst3Categories, info->SubCategories, 128);
        NativeText.WriteUtf8(PluginDescriptor.Vendor, info->Vendor, 64);
        NativeText.WriteUtf8(PluginDescriptor.Version, info->Version, 64);
        NativeText.WriteUtf8(SdkVersion, info->SdkVersion, 64);
    }

    public static void Fill(PClassInfoW* info)
    {
        *info = default;
        Vst3Iid.Write(PluginDescriptor.Vst3ClassId, info->Cid);
        info->Cardinality = Vst3Constants.ManyInstances;
        NativeText.WriteUtf8(Vst3Constants.AudioModuleClass, info->Category, 32);
        NativeText.WriteUtf16(PluginDescriptor.Name, info->Name, 64);
        NativeText.WriteUtf8(PluginDescriptor.Vst3Categories, info->SubCategories, 128);
        NativeText.WriteUtf16(PluginDescriptor.Vendor, info->Vendor, 64);
        NativeText.WriteUtf16(PluginDescriptor.Version, info->Version, 64);
        NativeText.WriteUtf16(SdkVersion, info->SdkVersion, 64);
    }
}
