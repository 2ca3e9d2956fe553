using System.Runtime.InteropServices;
using Distill.Plugin.Core;

namespace Distill.Plugin.Vst3;

/// <summary>IAudioProcessor: stereo out only, 32-bit samples, sample-accurate parameters and notes.</summary>
sealed unsafe partial class Vst3Wrapper
{
    static readonly AudioProcessorVtbl* ProcessorTable = CreateProcessorTable();

    /// <summary>What setupProcessing last said (defaults for hosts that activate without it).</summary>
    ProcessSetup setup = new() { SampleRate = 44100, MaxSamplesPerBlock = 1024 };

    static AudioProcessorVtbl* CreateProcessorTable()
    {
        var v = AllocateTable<AudioProcessorVtbl>();
        SetUnknown(&v->Unknown);
        v->SetBusArrangements = &SetBusArrangements;
        v->GetBusArrangement = &GetBusArrangement;
        v->CanProcessSampleSize = &CanProcessSampleSize;
        v->GetLatencySamples = &GetLatencySamples;
        v->SetupProcessing = &SetupProcessing;
        v->SetProcessing = &SetProcessing;
        v->Process = &Process;
        v->GetTailSamples = &GetTailSamples;
        return v;
    }

    [UnmanagedCallersOnly]
    static int SetBusArrangements(void* self, ulong* inputs, int inputCount, ulong* outputs, int outputCount) =>
        inputCount == 0 && outputCount == 1 && outputs != null && outputs[0] == Vst3Constants.SpeakerStereo
            ? Vst3Result.Ok : Vst3Result.False;

    [UnmanagedCallersOnly]
    static int GetBusArrangement(void* self, int direction, int index, ulong* arrangement)
    {
        if (arrangement == null || direction != Vst3Constants.DirectionOutput || index != 0)
            return Vst3Result.InvalidArgument;
        *arrangement = Vst3Constants.SpeakerStereo;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int CanProcessSampleSize(void* self, int size) =>
        size == Vst3Constants.Sample32 ? Vst3Result.Ok : Vst3Result.False;

    [UnmanagedCallersOnly]
    static uint GetLatencySamples(void* self)
    {
        try { return From(self) is { } w ? (uint)Math.Max(w.Plugin.LatencySamples, 0) : 0; }
        catch (Exception e) { PluginLog.Error("vst3 getLatencySamples", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static int SetupProcessing(void* self, ProcessSetup* setup)
    {
        try
        {
            if (setup == null || From(self) is not { } w) return Vst3Result.InvalidArgument;
            // Refused here, not at setActive: a host must not activate a setup that was refused.
            if (w.Plugin.IsActive || setup->SymbolicSampleSize != Vst3Constants.Sample32
                || !DistillPlugin.SupportsRate(setup->SampleRate) || setup->MaxSamplesPerBlock <= 0)
                return Vst3Result.False;
            w.setup = *setup;
            w.setup.MaxSamplesPerBlock = Math.Min(setup->MaxSamplesPerBlock, 1 << 20);
            w.Plugin.Mode = setup->ProcessMode == Vst3Constants.ProcessOffline
                ? ProcessMode.Offline : ProcessMode.Realtime;
            return Vst3Result.Ok;
        }
        catch (Exception e) { PluginLog.Error("vst3 setupProcessing", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static int SetProcessing(void* self, byte state) =>
        From(self) is not { } w ? Vst3Result.InvalidArgument
            : w.Plugin.IsActive ? Vst3Result.Ok : Vst3Result.NotInitialized;

    /// <summary>The synth keeps sounding after its last note for as long as its release: let hosts
    /// keep calling.</summary>
    [UnmanagedCallersOnly]
    static uint GetTailSamples(void* self) => Vst3Constants.InfiniteTail;

    [UnmanagedCallersOnly]
    static int Process(void* self, ProcessData* data)
    {
        try
        {
            if (data == null) return Vst3Result.InvalidArgument;
            var w = From(self);
            if (w is not { Plugin.IsActive: true } || data->SymbolicSampleSize != Vst3Constants.Sample32)
            {
                ClearOutputs(data);
                return Vst3Result.NotInitialized;
            }
            w.Render(data);
            return Vst3Result.Ok;
        }
        catch (Exception e)
        {
            PluginLog.Error("vst3 process", e);
            ClearOutputs(data);
            return Vst3Result.InternalError;
        }
    }

    void Render(ProcessData* data)
    {
        int frames = Math.Max(data->NumSamples, 0);
        // Hosts say per call whether they run in real time (Ardour sends kOffline for every call of an export).
        Plugin.Mode = data->ProcessMode == Vst3Constants.ProcessOffline ? ProcessMode.Offline : ProcessMode.Realtime;
        Vst3Events.Gather(data->InputParameterChanges, data->InputEvents, Block, frames);
        var output = data->NumOutputs > 0 ? data->Outputs : null;
        Block.Render(Plugin, output != null ? output->ChannelBuffers32 : null,
                     output != null ? Math.Clamp(output->NumChannels, 0, 64) : 0, frames);
        if (output != null) output->SilenceFlags = 0;
    }

    static void ClearOutputs(ProcessData* data)
    {
        if (data == null || data->Outputs == null || data->NumSamples <= 0) return;
        for (int o = 0; o < data->NumOutputs; o++)
        {
            var bus = &data->Outputs[o];
            if (bus->ChannelBuffers32 == null) continue;
            for (int c = 0; c < bus->NumChannels; c++)
                if (bus->ChannelBuffers32[c] != null)
                    new Span<float>(bus->ChannelBuffers32[c], data->NumSamples).Clear();
        }
    }
}
