using System.Diagnostics;
using System.Runtime.InteropServices;
using Distill.Plugin.Vst3;

namespace Distill.Tests.Plugin;

/// <summary>The built Distill.vst3 module, loaded once per test process: ModuleEntry, then GetPluginFactory.</summary>
public sealed unsafe class Vst3Module
{
    static readonly Lazy<Vst3Module> Instance = new(() => new Vst3Module(PluginBinaries.Vst3Binary));
    public static Vst3Module Shared => Instance.Value;

    internal readonly void* Factory;
    readonly delegate* unmanaged<long> allocatedBytes;
    readonly delegate* unmanaged<void> collectGarbage;
    public TimeSpan LoadTime { get; }

    Vst3Module(string path)
    {
        PluginEnvironment.Isolate();
        var clock = Stopwatch.StartNew();
        nint library = NativeLibrary.Load(path);
        var entry = (delegate* unmanaged<nint, byte>)NativeLibrary.GetExport(library, "ModuleEntry");
        if (entry(library) == 0) throw new InvalidOperationException("ModuleEntry failed");
        Factory = ((delegate* unmanaged<void*>)NativeLibrary.GetExport(library, "GetPluginFactory"))();
        if (Factory == null) throw new InvalidOperationException("GetPluginFactory returned null");
        LoadTime = clock.Elapsed;
        allocatedBytes = (delegate* unmanaged<long>)NativeLibrary.GetExport(library, "distill_allocated_bytes");
        collectGarbage = (delegate* unmanaged<void>)NativeLibrary.GetExport(library, "distill_collect_garbage");
        NativeLibrary.GetExport(library, "ModuleExit"); // mandatory on Linux (Ardour refuses a module without it): throws if absent
    }

    internal PluginFactoryVtbl* FactoryTable => *(PluginFactoryVtbl**)Factory;

    public long AllocatedBytes() => allocatedBytes();
    public void CollectGarbage() => collectGarbage();

    /// <summary>Creates the instrument asking for <paramref name="iid"/>; null when refused.</summary>
    internal void* CreateInstance(Guid classId, Guid iid)
    {
        byte* cid = stackalloc byte[16], id = stackalloc byte[16];
        Vst3Iid.Write(classId, cid);
        Vst3Iid.Write(iid, id);
        void* obj;
        return FactoryTable->CreateInstance(Factory, cid, id, &obj) == Vst3Result.Ok ? obj : null;
    }

    internal static void* Query(void* unknown, Guid iid)
    {
        byte* id = stackalloc byte[16];
        Vst3Iid.Write(iid, id);
        void* obj;
        return (*(FUnknownVtbl**)unknown)->QueryInterface(unknown, id, &obj) == Vst3Result.Ok ? obj : null;
    }

    internal static uint Release(void* unknown) => (*(FUnknownVtbl**)unknown)->Release(unknown);
}

/// <summary>A VST3 host written for tests: IComponent, IAudioProcessor and IEditController by queryInterface,
/// host-side IParameterChanges/IParamValueQueue/IEventList/IBStream objects in native memory (streams move at
/// most a few bytes per call, as real hosts may), plain values converted through the plugin's own controller.</summary>
public sealed unsafe class Vst3PluginUnderTest : IPluginUnderTest
{
    readonly Vst3Module module;
    internal readonly void* Component, Processor, Controller, MidiMapping;
    ProcessSetup setup;
    bool active;

    public Vst3PluginUnderTest(Vst3Module module)
    {
        this.module = module;
        Component = module.CreateInstance(Distill.Plugin.Core.PluginDescriptor.Vst3ClassId, Vst3Iid.Component);
        if (Component == null) throw new InvalidOperationException("createInstance(IComponent) failed");
        Processor = Vst3Module.Query(Component, Vst3Iid.AudioProcessor);
        Controller = Vst3Module.Query(Component, Vst3Iid.EditController);
        MidiMapping = Vst3Module.Query(Component, Vst3Iid.MidiMapping);
        if (Processor == null || Controller == null || MidiMapping == null) throw new InvalidOperationException("queryInterface failed");
        if (ComponentTable->Initialize(Component, null) != Vst3Result.Ok) throw new InvalidOperationException("initialize failed");
        if (ControllerTable->SetComponentHandler(Controller, null) != Vst3Result.Ok) throw new InvalidOperationException("setComponentHandler failed");
    }

    public string Format => PluginFormats.Vst3;
    internal ComponentVtbl* ComponentTable => *(ComponentVtbl**)Component;
    internal AudioProcessorVtbl* ProcessorTable => *(AudioProcessorVtbl**)Processor;
    internal EditControllerVtbl* ControllerTable => *(EditControllerVtbl**)Controller;
    internal MidiMappingVtbl* MidiMappingTable => *(MidiMappingVtbl**)MidiMapping;

    public bool Activate(double sampleRate, int maxFrames)
    {
        ulong stereo = Vst3Constants.SpeakerStereo;
        if (ProcessorTable->SetBusArrangements(Processor, null, 0, &stereo, 1) != Vst3Result.Ok) return false;
        setup = new ProcessSetup { ProcessMode = setup.ProcessMode, SymbolicSampleSize = Vst3Constants.Sample32, MaxSamplesPerBlock = maxFrames, SampleRate = sampleRate };
        fixed (ProcessSetup* s = &setup)
            if (ProcessorTable->SetupProcessing(Processor, s) != Vst3Result.Ok) return false;
        if (ComponentTable->SetActive(Component, 1) != Vst3Result.Ok) return false;
        active = true;
        return ProcessorTable->SetProcessing(Processor, 1) == Vst3Result.Ok;
    }

    public void Deactivate()
    {
        if (!active) return;
        ProcessorTable->SetProcessing(Processor, 0);
        ComponentTable->SetActive(Component, 0);
        active = false;
    }

    public bool Process(int frames, ReadOnlySpan<HostEvent> events, float[] left, float[] right)
    {
        using var changes = new HostParameterChanges();
        using var notes = new HostEventList();
        foreach (var e in events) Add(e, changes, notes);
        fixed (float* l = left, r = right)
        {
            float** channels = stackalloc float*[2] { l, r };
            var output = new AudioBusBuffers { NumChannels = 2, ChannelBuffers32 = channels };
            var data = new ProcessData
            {
                ProcessMode = setup.ProcessMode, SymbolicSampleSize = Vst3Constants.Sample32, NumSamples = frames,
                NumOutputs = 1, Outputs = &output, InputParameterChanges = changes.Pointer, InputEvents = notes.Pointer,
            };
            return ProcessorTable->Process(Processor, &data) == Vst3Result.Ok;
        }
    }

    /// <summary>As a host does: notes into the event list, parameters (and CC1 through IMidiMapping) into queues.</summary>
    void Add(in HostEvent e, HostParameterChanges changes, HostEventList notes)
    {
        switch (e.Kind)
        {
            case HostEventKind.NoteOn:
                notes.Add(new Vst3Event { SampleOffset = e.Offset, Type = Vst3Constants.EventNoteOn,
                    NoteOn = new NoteOnEvent { Pitch = (short)e.Key, Velocity = (float)e.Value, NoteId = -1 } });
                break;
            case HostEventKind.NoteOff or HostEventKind.NoteChoke:
                notes.Add(new Vst3Event { SampleOffset = e.Offset, Type = Vst3Constants.EventNoteOff,
                    NoteOff = new NoteOffEvent { Pitch = (short)e.Key, NoteId = -1 } });
                break;
            case HostEventKind.Parameter:
                changes.Add(e.Parameter, e.Offset, PlainToNormalized(e.Parameter, e.Value));
                break;
            case HostEventKind.Midi:
                int channel = e.Status & 0x0F;
                switch (e.Status & 0xF0)
                {
                    case 0x90 when e.Data2 > 0:
                        Add(HostEvent.NoteOn(e.Offset, e.Data1, e.Data2 / 127.0), changes, notes);
                        break;
                    case 0x80 or 0x90:
                        Add(HostEvent.NoteOff(e.Offset, e.Data1), changes, notes);
                        break;
                    case 0xB0:
                        uint id;
                        if (MidiMappingTable->GetMidiControllerAssignment(MidiMapping, 0, (short)channel, e.Data1, &id) == Vst3Result.Ok)
                            changes.Add(id, e.Offset, e.Data2 / 127.0);
                        break;
                }
                break;
        }
    }

    public double PlainToNormalized(uint id, double plain) => ControllerTable->PlainParamToNormalized(Controller, id, plain);
    public double NormalizedToPlain(uint id, double normalized) => ControllerTable->NormalizedParamToPlain(Controller, id, normalized);

    public int ParameterCount => ControllerTable->GetParameterCount(Controller);

    public HostParameterInfo ParameterInfo(int index)
    {
        ParameterInfo info;
        if (ControllerTable->GetParameterInfo(Controller, index, &info) != Vst3Result.Ok) throw new InvalidOperationException($"getParameterInfo({index}) failed");
        uint id = info.Id;
        return new HostParameterInfo(id, new string(info.Title), NormalizedToPlain(id, 0), NormalizedToPlain(id, 1),
            NormalizedToPlain(id, info.DefaultNormalizedValue), info.StepCount > 0, (info.Flags & Vst3Constants.ParameterCanAutomate) != 0);
    }

    /// <summary>ParameterInfo.units of parameter <paramref name="index"/>.</summary>
    public string Units(int index)
    {
        ParameterInfo info;
        if (ControllerTable->GetParameterInfo(Controller, index, &info) != Vst3Result.Ok) throw new InvalidOperationException($"getParameterInfo({index}) failed");
        return new string(info.Units);
    }

    public double GetValue(uint id) => NormalizedToPlain(id, ControllerTable->GetParamNormalized(Controller, id));

    public string? ValueToText(uint id, double plain)
    {
        char* text = stackalloc char[128];
        return ControllerTable->GetParamStringByValue(Controller, id, PlainToNormalized(id, plain), text) == Vst3Result.Ok ? new string(text) : null;
    }

    public double? TextToValue(uint id, string text)
    {
        double normalized;
        fixed (char* t = text + "\0")
            return ControllerTable->GetParamValueByString(Controller, id, t, &normalized) == Vst3Result.Ok ? NormalizedToPlain(id, normalized) : null;
    }

    public byte[]? SaveState()
    {
        using var stream = new HostStream([]);
        return ComponentTable->GetState(Component, stream.Pointer) == Vst3Result.Ok ? stream.Contents : null;
    }

    /// <summary>As hosts do: the component's state, then the same bytes to the controller.</summary>
    public bool LoadState(byte[] bytes)
    {
        using var stream = new HostStream(bytes);
        bool loaded = ComponentTable->SetState(Component, stream.Pointer) == Vst3Result.Ok;
        using var again = new HostStream(bytes);
        ControllerTable->SetComponentState(Controller, again.Pointer);
        return loaded;
    }

    public uint LatencySamples => ProcessorTable->GetLatencySamples(Processor);

    /// <summary>Takes effect at the next activation (setupProcessing), as in VST3.</summary>
    public void SetOffline(bool offline) =>
        setup.ProcessMode = offline ? Vst3Constants.ProcessOffline : Vst3Constants.ProcessRealtime;

    public long AllocatedBytes() => module.AllocatedBytes();
    public void CollectGarbage() => module.CollectGarbage();

    public void Dispose()
    {
        Deactivate();
        ComponentTable->Terminate(Component);
        Vst3Module.Release(MidiMapping);
        Vst3Module.Release(Controller);
        Vst3Module.Release(Processor);
        Vst3Module.Release(Component);
    }
}
