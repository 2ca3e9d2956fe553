using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Vst3;

/// <summary>IComponent: buses (one event input, one stereo audio output), activation, state.</summary>
sealed unsafe partial class Vst3Wrapper
{
    static readonly ComponentVtbl* ComponentTable = CreateComponentTable();

    static ComponentVtbl* CreateComponentTable()
    {
        var v = AllocateTable<ComponentVtbl>();
        SetUnknown(&v->Unknown);
        v->Initialize = &Initialize;
        v->Terminate = &Terminate;
        v->GetControllerClassId = &GetControllerClassId;
        v->SetIoMode = &SetIoMode;
        v->GetBusCount = &GetBusCount;
        v->GetBusInfo = &GetBusInfo;
        v->GetRoutingInfo = &GetRoutingInfo;
        v->ActivateBus = &ActivateBus;
        v->SetActive = &SetActive;
        v->SetState = &SetComponentStateFromHost;
        v->GetState = &GetComponentState;
        return v;
    }

    /// <summary>No separate controller class: hosts query the component for IEditController instead.</summary>
    [UnmanagedCallersOnly]
    static int GetControllerClassId(void* self, byte* classId) => Vst3Result.NotImplemented;

    [UnmanagedCallersOnly]
    static int SetIoMode(void* self, int mode) => Vst3Result.Ok;

    [UnmanagedCallersOnly]
    static int GetBusCount(void* self, int mediaType, int direction) =>
        (mediaType, direction) is (Vst3Constants.MediaAudio, Vst3Constants.DirectionOutput)
                               or (Vst3Constants.MediaEvent, Vst3Constants.DirectionInput) ? 1 : 0;

    [UnmanagedCallersOnly]
    static int GetBusInfo(void* self, int mediaType, int direction, int index, BusInfo* info)
    {
        if (info == null || index != 0) return Vst3Result.InvalidArgument;
        bool audioOut = (mediaType, direction) == (Vst3Constants.MediaAudio, Vst3Constants.DirectionOutput);
        bool eventIn = (mediaType, direction) == (Vst3Constants.MediaEvent, Vst3Constants.DirectionInput);
        if (!audioOut && !eventIn) return Vst3Result.InvalidArgument;
        *info = default;
        info->MediaType = mediaType;
        info->Direction = direction;
        info->ChannelCount = audioOut ? PluginDescriptor.OutputChannels : 16;
        NativeText.WriteUtf16(audioOut ? "Output" : "Notes", info->Name, 128);
        info->BusType = Vst3Constants.BusMain;
        info->Flags = Vst3Constants.BusDefaultActive;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int GetRoutingInfo(void* self, void* input, void* output) => Vst3Result.NotImplemented;

    [UnmanagedCallersOnly]
    static int ActivateBus(void* self, int mediaType, int direction, int index, byte state) =>
        index == 0 ? Vst3Result.Ok : Vst3Result.InvalidArgument;

    [UnmanagedCallersOnly]
    static int SetActive(void* self, byte state)
    {
        try
        {
            if (From(self) is not { } w) return Vst3Result.InvalidArgument;
            // Deactivating twice is harmless (the SDK's validator does it in teardown); activating twice is refused.
            if (state == 0) { w.Plugin.Deactivate(); return Vst3Result.Ok; }
            if (w.Plugin.IsActive) return Vst3Result.False;
            w.Block.Prepare(w.setup.MaxSamplesPerBlock);
            return w.Plugin.Activate(w.setup.SampleRate, w.setup.MaxSamplesPerBlock) ? Vst3Result.Ok : Vst3Result.False;
        }
        catch (Exception e) { PluginLog.Error("vst3 setActive", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static int SetComponentStateFromHost(void* self, void* stream)
    {
        try
        {
            if (From(self) is not { } w) return Vst3Result.InvalidArgument;
            if (Vst3Stream.ReadAll(stream) is not { } bytes) return Vst3Result.False;
            return w.Plugin.LoadState(bytes) ? Vst3Result.Ok : Vst3Result.False;
        }
        catch (Exception e) { PluginLog.Error("vst3 setState", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static int GetComponentState(void* self, void* stream)
    {
        try
        {
            if (From(self) is not { } w) return Vst3Result.InvalidArgument;
            return Vst3Stream.WriteAll(stream, w.Plugin.SaveState()) ? Vst3Result.Ok : Vst3Result.False;
        }
        catch (Exception e) { PluginLog.Error("vst3 getState", e); return Vst3Result.InternalError; }
    }
}
