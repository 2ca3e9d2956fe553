using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;
using Distill.Runtime.Engine;

namespace Distill.Plugin.Clap;

/// <summary>clap.params over <see cref="PluginParameters"/>: CLAP values are the core's plain values.</summary>
static unsafe class ClapParams
{
    public static readonly ClapPluginParams* Extension = Create();

    static ClapPluginParams* Create()
    {
        var x = (ClapPluginParams*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginParams));
        x->Count = &Count;
        x->GetInfo = &GetInfo;
        x->GetValue = &GetValue;
        x->ValueToText = &ValueToText;
        x->TextToValue = &TextToValue;
        x->Flush = &Flush;
        return x;
    }

    [UnmanagedCallersOnly]
    static uint Count(ClapPlugin* p) => (uint)PluginParameters.Count;

    [UnmanagedCallersOnly]
    static byte GetInfo(ClapPlugin* p, uint index, ClapParamInfo* info)
    {
        if (info == null || index >= PluginParameters.Count) return 0;
        try
        {
            var spec = PluginParameters.At((int)index);
            *info = default;
            info->Id = (uint)spec.Id;
            info->Flags = ClapParamFlags.Automatable | (spec.Stepped ? ClapParamFlags.Stepped : 0);
            NativeText.WriteUtf8(spec.Name, info->Name, ClapParamInfo.NameSize);
            NativeText.WriteUtf8(spec.Module, info->Module, ClapParamInfo.PathSize);
            info->MinValue = spec.Min;
            info->MaxValue = spec.Max;
            info->DefaultValue = spec.Default;
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap params.get_info", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static byte GetValue(ClapPlugin* p, uint id, double* value)
    {
        try
        {
            if (value == null || !PluginParameters.TryGet(id, out _) || ClapWrapper.From(p) is not { } w) return 0;
            *value = w.Plugin.GetParameter((ParameterId)id);
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap params.get_value", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static byte ValueToText(ClapPlugin* p, uint id, double value, byte* text, uint capacity)
    {
        if (text == null || capacity == 0 || !PluginParameters.TryGet(id, out _) || ClapWrapper.From(p) is not { } w)
            return 0;
        try
        {
            NativeText.WriteUtf8(w.Plugin.FormatParameter((ParameterId)id, value), text,
                                 (int)Math.Min(capacity, int.MaxValue));
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap params.value_to_text", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static byte TextToValue(ClapPlugin* p, uint id, byte* text, double* value)
    {
        if (text == null || value == null || !PluginParameters.TryGet(id, out _) || ClapWrapper.From(p) is not { } w)
            return 0;
        try
        {
            if (!w.Plugin.TryParseParameter((ParameterId)id, NativeText.ReadUtf8(text)!, out double plain)) return 0;
            *value = plain;
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap params.text_to_value", e); return 0; }
    }

    /// <summary>Parameter changes while not processing: on the audio thread when active (never concurrent with
    /// process), delivered as a zero-length block as VST3 hosts do; on the main thread when inactive,
    /// set directly.</summary>
    [UnmanagedCallersOnly]
    static void Flush(ClapPlugin* p, ClapInputEvents* input, ClapOutputEvents* output)
    {
        try
        {
            if (ClapWrapper.From(p) is not { } w) return;
            if (w.Plugin.IsActive)
            {
                ClapEvents.Gather(input, w.Block, 0);
                w.Block.Render(w.Plugin, null, 0, 0);
                return;
            }
            if (input == null || input->Size == null || input->Get == null) return;
            uint count = input->Size(input);
            for (uint i = 0; i < count; i++)
                if (ClapEvents.Translate(input->Get(input, i), out var e)
                    && e.Kind == InstrumentEventKind.ParameterValue && PluginParameters.TryGet(e.Parameter, out _))
                    w.Plugin.SetParameter((ParameterId)e.Parameter, e.Value);
        }
        catch (Exception e) { PluginLog.Error("clap params.flush", e); }
    }
}
