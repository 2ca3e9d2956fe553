using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;
using Distill.Runtime.Engine;

namespace Distill.Plugin.Vst3;

/// <summary>IEditController over the core's parameter table (VST3 speaks normalized 0…1 values; the core speaks
/// plain ones), and IMidiMapping so a host turns CC1 into the mod wheel parameter.</summary>
sealed unsafe partial class Vst3Wrapper
{
    static readonly EditControllerVtbl* ControllerTable = CreateControllerTable();

    static EditControllerVtbl* CreateControllerTable()
    {
        var v = AllocateTable<EditControllerVtbl>();
        SetUnknown(&v->Unknown);
        v->Initialize = &Initialize;
        v->Terminate = &Terminate;
        v->SetComponentState = &SetComponentState;
        v->SetState = &SetControllerState;
        v->GetState = &GetControllerState;
        v->GetParameterCount = &GetParameterCount;
        v->GetParameterInfo = &GetParameterInfo;
        v->GetParamStringByValue = &GetParamStringByValue;
        v->GetParamValueByString = &GetParamValueByString;
        v->NormalizedParamToPlain = &NormalizedParamToPlain;
        v->PlainParamToNormalized = &PlainParamToNormalized;
        v->GetParamNormalized = &GetParamNormalized;
        v->SetParamNormalized = &SetParamNormalized;
        v->SetComponentHandler = &SetComponentHandler;
        v->CreateView = &CreateView;
        return v;
    }

    /// <summary>The component is this object, so its state is already applied.</summary>
    [UnmanagedCallersOnly]
    static int SetComponentState(void* self, void* stream) => Vst3Result.Ok;

    /// <summary>The controller keeps nothing of its own: everything lives in the component state.</summary>
    [UnmanagedCallersOnly]
    static int SetControllerState(void* self, void* stream) => Vst3Result.Ok;

    [UnmanagedCallersOnly]
    static int GetControllerState(void* self, void* stream) => Vst3Result.Ok;

    [UnmanagedCallersOnly]
    static int GetParameterCount(void* self) => PluginParameters.Count;

    [UnmanagedCallersOnly]
    static int GetParameterInfo(void* self, int index, ParameterInfo* info)
    {
        if (info == null || (uint)index >= (uint)PluginParameters.Count) return Vst3Result.InvalidArgument;
        try
        {
            var spec = PluginParameters.At(index);
            *info = default;
            info->Id = (uint)spec.Id;
            NativeText.WriteUtf16(spec.Name, info->Title, 128);
            NativeText.WriteUtf16(spec.Name, info->ShortTitle, 128);
            NativeText.WriteUtf16(PluginParameters.UnitLabel(spec), info->Units, 128);
            info->StepCount = spec.Stepped ? (int)(spec.Max - spec.Min) : 0;
            info->DefaultNormalizedValue = spec.ToNormalized(spec.Default);
            info->Flags = Vst3Constants.ParameterCanAutomate
                          | (spec.Id == ParameterId.World ? Vst3Constants.ParameterIsList : 0);
            return Vst3Result.Ok;
        }
        catch (Exception e) { PluginLog.Error("vst3 getParameterInfo", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static int GetParamStringByValue(void* self, uint id, double normalized, char* text)
    {
        if (text == null || !PluginParameters.TryGet(id, out var spec) || From(self) is not { } w)
            return Vst3Result.InvalidArgument;
        try
        {
            NativeText.WriteUtf16(w.Plugin.FormatParameter(spec.Id, spec.FromNormalized(normalized)), text, 128);
            return Vst3Result.Ok;
        }
        catch (Exception e) { PluginLog.Error("vst3 getParamStringByValue", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static int GetParamValueByString(void* self, uint id, char* text, double* normalized)
    {
        if (text == null || normalized == null || !PluginParameters.TryGet(id, out var spec) || From(self) is not { } w)
            return Vst3Result.InvalidArgument;
        try
        {
            if (!w.Plugin.TryParseParameter(spec.Id, NativeText.ReadUtf16(text, 128)!, out double plain))
                return Vst3Result.False;
            *normalized = spec.ToNormalized(plain);
            return Vst3Result.Ok;
        }
        catch (Exception e) { PluginLog.Error("vst3 getParamValueByString", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static double NormalizedParamToPlain(void* self, uint id, double normalized) =>
        PluginParameters.TryGet(id, out var spec) ? spec.FromNormalized(normalized) : 0;

    [UnmanagedCallersOnly]
    static double PlainParamToNormalized(void* self, uint id, double plain) =>
        PluginParameters.TryGet(id, out var spec) ? spec.ToNormalized(plain) : 0;

    [UnmanagedCallersOnly]
    static double GetParamNormalized(void* self, uint id)
    {
        try
        {
            return PluginParameters.TryGet(id, out var spec) && From(self) is { } w
                ? spec.ToNormalized(w.Plugin.GetParameter(spec.Id)) : 0;
        }
        catch (Exception e) { PluginLog.Error("vst3 getParamNormalized", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static int SetParamNormalized(void* self, uint id, double normalized)
    {
        try
        {
            if (!PluginParameters.TryGet(id, out var spec) || From(self) is not { } w)
                return Vst3Result.InvalidArgument;
            w.Plugin.SetParameter(spec.Id, spec.FromNormalized(normalized));
            return Vst3Result.Ok;
        }
        catch (Exception e) { PluginLog.Error("vst3 setParamNormalized", e); return Vst3Result.InternalError; }
    }

    /// <summary>Ardour refuses the plugin unless this succeeds; nothing is sent back to the host yet.</summary>
    [UnmanagedCallersOnly]
    static int SetComponentHandler(void* self, void* handler) => Vst3Result.Ok;

    [UnmanagedCallersOnly]
    static void* CreateView(void* self, byte* name) => null;

    [UnmanagedCallersOnly]
    static int GetMidiControllerAssignment(void* self, int busIndex, short channel, short controller, uint* id)
    {
        if (id == null || busIndex != 0 || controller != Vst3Constants.MidiCcModWheel) return Vst3Result.False;
        *id = (uint)ParameterId.ModWheel;
        return Vst3Result.Ok;
    }
}
