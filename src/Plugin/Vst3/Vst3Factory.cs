using System.Runtime.InteropServices;
using Distill.Plugin.Core;

namespace Distill.Plugin.Vst3;

/// <summary>IPluginFactory3 (and so 2 and 1): one class, the instrument. A process-wide object whose reference
/// count is kept for hosts' bookkeeping but never frees it.</summary>
static unsafe class Vst3Factory
{
    static readonly void** Instance = Create();
    static int references;

    public static void* Acquire()
    {
        Interlocked.Increment(ref references);
        return Instance;
    }

    static void** Create()
    {
        var vtbl = (PluginFactoryVtbl*)NativeMemory.AllocZeroed((nuint)sizeof(PluginFactoryVtbl));
        vtbl->Unknown.QueryInterface = &QueryInterface;
        vtbl->Unknown.AddRef = &AddRef;
        vtbl->Unknown.Release = &Release;
        vtbl->GetFactoryInfo = &GetFactoryInfo;
        vtbl->CountClasses = &CountClasses;
        vtbl->GetClassInfo = &GetClassInfo;
        vtbl->CreateInstance = &CreateInstance;
        vtbl->GetClassInfo2 = &GetClassInfo2;
        vtbl->GetClassInfoUnicode = &GetClassInfoUnicode;
        vtbl->SetHostContext = &SetHostContext;
        var self = (void**)NativeMemory.AllocZeroed((nuint)sizeof(void*));
        *self = vtbl;
        return self;
    }

    [UnmanagedCallersOnly]
    static int QueryInterface(void* self, byte* iid, void** obj)
    {
        if (obj == null) return Vst3Result.InvalidArgument;
        *obj = null;
        if (iid == null) return Vst3Result.InvalidArgument;
        var id = Vst3Iid.Read(iid);
        if (id != Vst3Iid.FUnknown && id != Vst3Iid.PluginFactory && id != Vst3Iid.PluginFactory2
            && id != Vst3Iid.PluginFactory3)
            return Vst3Result.NoInterface;
        Interlocked.Increment(ref references);
        *obj = self;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static uint AddRef(void* self) => (uint)Interlocked.Increment(ref references);

    [UnmanagedCallersOnly]
    static uint Release(void* self) => (uint)Math.Max(Interlocked.Decrement(ref references), 0);

    [UnmanagedCallersOnly]
    static int GetFactoryInfo(void* self, PFactoryInfo* info)
    {
        if (info == null) return Vst3Result.InvalidArgument;
        Vst3Descriptor.Fill(info);
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int CountClasses(void* self) => 1;

    [UnmanagedCallersOnly]
    static int GetClassInfo(void* self, int index, PClassInfo* info)
    {
        if (index != 0 || info == null) return Vst3Result.InvalidArgument;
        Vst3Descriptor.Fill(info);
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int GetClassInfo2(void* self, int index, PClassInfo2* info)
    {
        if (index != 0 || info == null) return Vst3Result.InvalidArgument;
        Vst3Descriptor.Fill(info);
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int GetClassInfoUnicode(void* self, int index, PClassInfoW* info)
    {
        if (index != 0 || info == null) return Vst3Result.InvalidArgument;
        Vst3Descriptor.Fill(info);
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int SetHostContext(void* self, void* context) => Vst3Result.Ok;

    /// <summary>A new instance answering <paramref name="iid"/>, with one reference for the caller.</summary>
    [UnmanagedCallersOnly]
    static int CreateInstance(void* self, byte* cid, byte* iid, void** obj)
    {
        try
        {
            if (obj == null) return Vst3Result.InvalidArgument;
            *obj = null;
            if (cid == null || iid == null) return Vst3Result.InvalidArgument;
            if (Vst3Iid.Read(cid) != PluginDescriptor.Vst3ClassId) return Vst3Result.False;
            var wrapper = new Vst3Wrapper();
            int result = wrapper.QueryInterface(Vst3Iid.Read(iid), obj);
            wrapper.Release(); // the creation reference: the object now lives on the caller's reference, if any
            return result;
        }
        catch (Exception e)
        {
            PluginLog.Error("vst3 createInstance", e);
            return Vst3Result.InternalError;
        }
    }
}
