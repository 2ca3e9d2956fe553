using System.Diagnostics;
using System.Runtime.InteropServices;
using Distill.Plugin.Clap;

namespace Distill.Tests.Plugin;

/// <summary>The built Distill.clap, loaded once per test process through clap_entry (never unloaded: the
/// binary is linked -z nodelete, as hosts need).</summary>
public sealed unsafe class ClapModule
{
    static readonly Lazy<ClapModule> Instance = new(() => new ClapModule(PluginBinaries.ClapPath));
    public static ClapModule Shared => Instance.Value;

    internal readonly ClapPluginEntry* Entry;
    internal readonly ClapPluginFactory* Factory;
    readonly delegate* unmanaged<long> allocatedBytes;
    readonly delegate* unmanaged<void> collectGarbage;
    public TimeSpan LoadTime { get; }

    ClapModule(string path)
    {
        PluginEnvironment.Isolate();
        var clock = Stopwatch.StartNew();
        nint library = NativeLibrary.Load(path);
        Entry = (ClapPluginEntry*)NativeLibrary.GetExport(library, "clap_entry");
        fixed (byte* p = System.Text.Encoding.UTF8.GetBytes(path + "\0"))
            if (Entry->Init(p) == 0) throw new InvalidOperationException("clap_entry.init failed");
        fixed (byte* id = "clap.plugin-factory\0"u8)
            Factory = (ClapPluginFactory*)Entry->GetFactory(id);
        LoadTime = clock.Elapsed;
        allocatedBytes = (delegate* unmanaged<long>)NativeLibrary.GetExport(library, "distill_allocated_bytes");
        collectGarbage = (delegate* unmanaged<void>)NativeLibrary.GetExport(library, "distill_collect_garbage");
    }

    public long AllocatedBytes() => allocatedBytes();
    public void CollectGarbage() => collectGarbage();

    public uint PluginCount => Factory->GetPluginCount(Factory);
    internal ClapPluginDescriptor* Descriptor(uint index) => Factory->GetPluginDescriptor(Factory, index);

    internal static string? Text(byte* s) => s == null ? null : Marshal.PtrToStringUTF8((nint)s);
}

/// <summary>A CLAP host written for tests: a clap_host_t offering no extensions, input event lists in native
/// memory, and state streams that move at most a few bytes per call (real hosts may, and plugins must loop).</summary>
public sealed unsafe class ClapPluginUnderTest : IPluginUnderTest
{
    readonly ClapModule module;
    readonly ClapHost* host;
    readonly ClapPlugin* plugin;
    internal ClapPlugin* Plugin => plugin;
    bool active;

    public ClapPluginUnderTest(ClapModule module)
    {
        this.module = module;
        host = (ClapHost*)NativeMemory.AllocZeroed((nuint)sizeof(ClapHost));
        host->ClapVersion = ClapVersion.Current;
        host->Name = (byte*)Marshal.StringToCoTaskMemUTF8("distill test host");
        host->Vendor = (byte*)Marshal.StringToCoTaskMemUTF8("distill");
        host->Url = (byte*)Marshal.StringToCoTaskMemUTF8("");
        host->Version = (byte*)Marshal.StringToCoTaskMemUTF8("1.0");
        host->GetExtension = &HostGetExtension;
        host->RequestRestart = &HostRequest;
        host->RequestProcess = &HostRequest;
        host->RequestCallback = &HostRequest;
        var desc = module.Descriptor(0);
        plugin = module.Factory->CreatePlugin(module.Factory, host, desc->Id);
        if (plugin == null) throw new InvalidOperationException("create_plugin returned null");
        if (plugin->Init(plugin) == 0) throw new InvalidOperationException("plugin init failed");
    }

    public string Format => PluginFormats.Clap;

    internal void* Extension(ReadOnlySpan<byte> id)
    {
        fixed (byte* p = id) return plugin->GetExtension(plugin, p);
    }

    internal ClapPluginParams* Params => (ClapPluginParams*)Extension("clap.params\0"u8);

    public bool Activate(double sampleRate, int maxFrames)
    {
        if (plugin->Activate(plugin, sampleRate, 1, (uint)maxFrames) == 0) return false;
        active = true;
        return plugin->StartProcessing(plugin) != 0;
    }

    public void Deactivate()
    {
        if (!active) return;
        plugin->StopProcessing(plugin);
        plugin->Deactivate(plugin);
        active = false;
    }

    public bool Process(int frames, ReadOnlySpan<HostEvent> events, float[] left, float[] right)
    {
        using var list = new NativeEventList(events);
        fixed (float* l = left, r = right)
        {
            float** channels = stackalloc float*[2] { l, r };
            var output = new ClapAudioBuffer { Data32 = channels, ChannelCount = 2 };
            var input = new ClapInputEvents { Ctx = list.Context, Size = &EventsSize, Get = &EventsGet };
            var outEvents = new ClapOutputEvents { Ctx = null, TryPush = &EventsTryPush };
            var process = new ClapProcess
            {
                SteadyTime = -1, FramesCount = (uint)frames, AudioOutputs = &output, AudioOutputsCount = 1,
                InEvents = &input, OutEvents = &outEvents,
            };
            return plugin->Process(plugin, &process) != ClapProcessStatus.Error;
        }
    }

    public int ParameterCount => (int)Params->Count(plugin);

    public HostParameterInfo ParameterInfo(int index)
    {
        ClapParamInfo info;
        if (Params->GetInfo(plugin, (uint)index, &info) == 0) throw new InvalidOperationException($"get_info({index}) failed");
        return new HostParameterInfo(info.Id, ClapModule.Text(info.Name)!, info.MinValue, info.MaxValue, info.DefaultValue,
            info.Flags.HasFlag(ClapParamFlags.Stepped), info.Flags.HasFlag(ClapParamFlags.Automatable));
    }

    public double GetValue(uint id)
    {
        double v;
        if (Params->GetValue(plugin, id, &v) == 0) throw new InvalidOperationException($"get_value({id}) failed");
        return v;
    }

    public string? ValueToText(uint id, double plain)
    {
        byte* text = stackalloc byte[256];
        return Params->ValueToText(plugin, id, plain, text, 256) != 0 ? ClapModule.Text(text) : null;
    }

    public double? TextToValue(uint id, string text)
    {
        double v;
        fixed (byte* t = System.Text.Encoding.UTF8.GetBytes(text + "\0"))
            return Params->TextToValue(plugin, id, t, &v) != 0 ? v : null;
    }

    /// <summary>Parameter changes outside process (clap.params flush).</summary>
    public void Flush(ReadOnlySpan<HostEvent> events)
    {
        using var list = new NativeEventList(events);
        var input = new ClapInputEvents { Ctx = list.Context, Size = &EventsSize, Get = &EventsGet };
        var outEvents = new ClapOutputEvents { Ctx = null, TryPush = &EventsTryPush };
        Params->Flush(plugin, &input, &outEvents);
    }

    public byte[]? SaveState()
    {
        var state = (ClapPluginState*)Extension("clap.state\0"u8);
        var sink = new MemoryStream();
        var handle = GCHandle.Alloc(sink);
        try
        {
            var stream = new ClapOutputStream { Ctx = (void*)GCHandle.ToIntPtr(handle), Write = &StreamWrite };
            return state->Save(plugin, &stream) != 0 ? sink.ToArray() : null;
        }
        finally { handle.Free(); }
    }

    public bool LoadState(byte[] bytes)
    {
        var state = (ClapPluginState*)Extension("clap.state\0"u8);
        var source = new MemoryStream(bytes);
        var handle = GCHandle.Alloc(source);
        try
        {
            var stream = new ClapInputStream { Ctx = (void*)GCHandle.ToIntPtr(handle), Read = &StreamRead };
            return state->Load(plugin, &stream) != 0;
        }
        finally { handle.Free(); }
    }

    public uint LatencySamples => ((ClapPluginLatency*)Extension("clap.latency\0"u8))->Get(plugin);

    public void SetOffline(bool offline)
    {
        var render = (ClapPluginRender*)Extension("clap.render\0"u8);
        if (render->Set(plugin, offline ? ClapRenderMode.Offline : ClapRenderMode.Realtime) == 0)
            throw new InvalidOperationException("render.set failed");
    }

    public long AllocatedBytes() => module.AllocatedBytes();
    public void CollectGarbage() => module.CollectGarbage();

    public void Dispose()
    {
        Deactivate();
        plugin->Destroy(plugin);
        // The host struct stays allocated: a plugin may legally keep the pointer until destroy returns.
    }

    // Host callbacks.

    [UnmanagedCallersOnly]
    static void* HostGetExtension(ClapHost* host, byte* id) => null;

    [UnmanagedCallersOnly]
    static void HostRequest(ClapHost* host) { }

    [UnmanagedCallersOnly]
    static uint EventsSize(ClapInputEvents* list) => (uint)((NativeEventList.Block*)list->Ctx)->Count;

    [UnmanagedCallersOnly]
    static ClapEventHeader* EventsGet(ClapInputEvents* list, uint index)
    {
        var h = (NativeEventList.Block*)list->Ctx;
        return index < h->Count ? (ClapEventHeader*)h->Items[index] : null;
    }

    [UnmanagedCallersOnly]
    static byte EventsTryPush(ClapOutputEvents* list, ClapEventHeader* e) => 0;

    /// <summary>Accepts at most 7 bytes per call.</summary>
    [UnmanagedCallersOnly]
    static long StreamWrite(ClapOutputStream* stream, void* buffer, ulong size)
    {
        var sink = (MemoryStream)GCHandle.FromIntPtr((nint)stream->Ctx).Target!;
        int n = (int)Math.Min(size, 7);
        sink.Write(new ReadOnlySpan<byte>(buffer, n));
        return n;
    }

    /// <summary>Gives at most 5 bytes per call.</summary>
    [UnmanagedCallersOnly]
    static long StreamRead(ClapInputStream* stream, void* buffer, ulong size)
    {
        var source = (MemoryStream)GCHandle.FromIntPtr((nint)stream->Ctx).Target!;
        return source.Read(new Span<byte>(buffer, (int)Math.Min(size, 5)));
    }

    /// <summary>One block's events as CLAP structs in native memory, in the order given.</summary>
    sealed class NativeEventList : IDisposable
    {
        public struct Block
        {
            public int Count;
            public nint* Items;
        }

        readonly Block* header;

        public NativeEventList(ReadOnlySpan<HostEvent> events)
        {
            header = (Block*)NativeMemory.AllocZeroed((nuint)sizeof(Block));
            header->Items = (nint*)NativeMemory.AllocZeroed((nuint)Math.Max(events.Length, 1), (nuint)sizeof(nint));
            foreach (var e in events) header->Items[header->Count++] = (nint)Translate(e);
        }

        public void* Context => header;

        static ClapEventHeader* Translate(in HostEvent e)
        {
            switch (e.Kind)
            {
                case HostEventKind.NoteOn or HostEventKind.NoteOff or HostEventKind.NoteChoke:
                    var note = Allocate<ClapEventNote>();
                    note->Header = Header(e, sizeof(ClapEventNote),
                        e.Kind switch { HostEventKind.NoteOn => ClapEventType.NoteOn, HostEventKind.NoteOff => ClapEventType.NoteOff, _ => ClapEventType.NoteChoke });
                    note->NoteId = -1; note->PortIndex = 0; note->Channel = 0; note->Key = (short)e.Key; note->Velocity = e.Value;
                    return &note->Header;
                case HostEventKind.Parameter:
                    var param = Allocate<ClapEventParamValue>();
                    param->Header = Header(e, sizeof(ClapEventParamValue), ClapEventType.ParamValue);
                    param->ParamId = e.Parameter; param->NoteId = -1; param->PortIndex = -1; param->Channel = -1; param->Key = -1;
                    param->Value = e.Value;
                    return &param->Header;
                default:
                    var midi = Allocate<ClapEventMidi>();
                    midi->Header = Header(e, sizeof(ClapEventMidi), ClapEventType.Midi);
                    midi->Status = e.Status; midi->Data1 = e.Data1; midi->Data2 = e.Data2;
                    return &midi->Header;
            }
        }

        static ClapEventHeader Header(in HostEvent e, int size, ClapEventType type) =>
            new() { Size = (uint)size, Time = (uint)e.Offset, SpaceId = 0, Type = type };

        static T* Allocate<T>() where T : unmanaged => (T*)NativeMemory.AllocZeroed((nuint)sizeof(T));

        public void Dispose()
        {
            for (int i = 0; i < header->Count; i++) NativeMemory.Free((void*)header->Items[i]);
            NativeMemory.Free(header->Items);
            NativeMemory.Free(header);
        }
    }
}
