using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Clap;

/// <summary>
/// One plugin instance as a clap_plugin_t: native struct whose plugin_data is a GC handle to this object.
/// Every callback catches everything (an exception crossing the C ABI would abort the host), logs it and answers
/// with failure or silence.
/// </summary>
sealed unsafe class ClapWrapper
{
    public readonly DistillPlugin Plugin = new();
    public readonly BlockRenderer Block = new();

    public static ClapPlugin* Create(ClapHost* host)
    {
        var p = (ClapPlugin*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPlugin));
        p->Desc = ClapDescriptor.Instance;
        p->PluginData = GCHandle.ToIntPtr(GCHandle.Alloc(new ClapWrapper()));
        p->Init = &Init;
        p->Destroy = &Destroy;
        p->Activate = &Activate;
        p->Deactivate = &Deactivate;
        p->StartProcessing = &StartProcessing;
        p->StopProcessing = &StopProcessing;
        p->Reset = &Reset;
        p->Process = &Process;
        p->GetExtension = &GetExtension;
        p->OnMainThread = &OnMainThread;
        return p;
    }

    /// <summary>The instance behind <paramref name="p"/>, or null for a destroyed or foreign pointer.
    /// Never throws.</summary>
    public static ClapWrapper? From(ClapPlugin* p)
    {
        try
        {
            return p == null || p->PluginData == 0 ? null : GCHandle.FromIntPtr(p->PluginData).Target as ClapWrapper;
        }
        catch (InvalidOperationException) { return null; }
    }

    bool initialized;

    /// <summary>Once per instance: a second init is the host's error and is refused.</summary>
    [UnmanagedCallersOnly]
    static byte Init(ClapPlugin* p)
    {
        if (From(p) is not { } w || w.initialized) return 0;
        w.initialized = true;
        return 1;
    }

    [UnmanagedCallersOnly]
    static void Destroy(ClapPlugin* p)
    {
        try
        {
            if (From(p) is not { } w) return;
            w.Plugin.Dispose();
            GCHandle.FromIntPtr(p->PluginData).Free();
            p->PluginData = 0;
            NativeMemory.Free(p);
        }
        catch (Exception e) { PluginLog.Error("clap destroy", e); }
    }

    [UnmanagedCallersOnly]
    static byte Activate(ClapPlugin* p, double sampleRate, uint minFrames, uint maxFrames)
    {
        try
        {
            if (From(p) is not { initialized: true } w || w.Plugin.IsActive || !DistillPlugin.SupportsRate(sampleRate))
                return 0;
            int frames = (int)Math.Clamp(maxFrames, 1u, 1u << 20);
            w.Block.Prepare(frames);
            return w.Plugin.Activate(sampleRate, frames) ? (byte)1 : (byte)0;
        }
        catch (Exception e) { PluginLog.Error("clap activate", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static void Deactivate(ClapPlugin* p)
    {
        try { From(p)?.Plugin.Deactivate(); }
        catch (Exception e) { PluginLog.Error("clap deactivate", e); }
    }

    [UnmanagedCallersOnly]
    static byte StartProcessing(ClapPlugin* p) => From(p) is { Plugin.IsActive: true } ? (byte)1 : (byte)0;

    [UnmanagedCallersOnly]
    static void StopProcessing(ClapPlugin* p) { }

    [UnmanagedCallersOnly]
    static void Reset(ClapPlugin* p)
    {
        try { From(p)?.Plugin.Reset(); }
        catch (Exception e) { PluginLog.Error("clap reset", e); }
    }

    [UnmanagedCallersOnly]
    static ClapProcessStatus Process(ClapPlugin* p, ClapProcess* process)
    {
        try
        {
            if (process == null) return ClapProcessStatus.Error;
            var w = From(p);
            if (w is not { Plugin.IsActive: true })
            {
                ClearOutputs(process);
                return ClapProcessStatus.Error;
            }
            return w.Render(process);
        }
        catch (Exception e)
        {
            PluginLog.Error("clap process", e);
            ClearOutputs(process);
            return ClapProcessStatus.Error;
        }
    }

    ClapProcessStatus Render(ClapProcess* process)
    {
        int frames = (int)Math.Min(process->FramesCount, int.MaxValue);
        ClapEvents.Gather(process->InEvents, Block, frames);
        var output = process->AudioOutputsCount > 0 ? process->AudioOutputs : null;
        Block.Render(Plugin, output != null ? output->Data32 : null,
                     output != null ? (int)Math.Min(output->ChannelCount, 64) : 0, frames);
        if (output != null) output->ConstantMask = 0;
        return ClapProcessStatus.Continue;
    }

    static void ClearOutputs(ClapProcess* process)
    {
        if (process == null || process->AudioOutputs == null) return;
        int frames = (int)Math.Min(process->FramesCount, int.MaxValue);
        for (uint o = 0; o < process->AudioOutputsCount; o++)
        {
            var buffer = &process->AudioOutputs[o];
            if (buffer->Data32 == null) continue;
            for (int c = 0; c < buffer->ChannelCount; c++)
                if (buffer->Data32[c] != null) new Span<float>(buffer->Data32[c], frames).Clear();
        }
    }

    [UnmanagedCallersOnly]
    static void* GetExtension(ClapPlugin* p, byte* id)
    {
        try
        {
            if (NativeText.Is(id, ClapIds.AudioPorts)) return ClapPorts.Audio;
            if (NativeText.Is(id, ClapIds.NotePorts)) return ClapPorts.Notes;
            if (NativeText.Is(id, ClapIds.Params)) return ClapParams.Extension;
            if (NativeText.Is(id, ClapIds.State)) return ClapState.Extension;
            if (NativeText.Is(id, ClapIds.Latency)) return ClapLatency.Extension;
            if (NativeText.Is(id, ClapIds.Render)) return ClapRender.Extension;
            return null;
        }
        catch (Exception e) { PluginLog.Error("clap get_extension", e); return null; }
    }

    [UnmanagedCallersOnly]
    static void OnMainThread(ClapPlugin* p) { }
}
