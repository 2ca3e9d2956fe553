using System.Runtime.InteropServices;
using Distill.Plugin.Vst3;

namespace Distill.Tests.Plugin;

/// <summary>A host-side VST3 object: a native {vtable, GC handle} pair whose callbacks find this object again.
/// Owned by the test (reference counting is not needed for objects that outlive every call).</summary>
internal abstract unsafe class HostObject : IDisposable
{
    readonly nint* face;

    protected HostObject(void* vtable)
    {
        face = (nint*)NativeMemory.AllocZeroed(2, (nuint)sizeof(nint));
        face[0] = (nint)vtable;
        face[1] = GCHandle.ToIntPtr(GCHandle.Alloc(this));
    }

    public void* Pointer => face;

    protected static T From<T>(void* self) where T : HostObject => (T)GCHandle.FromIntPtr(((nint*)self)[1]).Target!;

    public virtual void Dispose()
    {
        GCHandle.FromIntPtr(face[1]).Free();
        NativeMemory.Free(face);
    }

    protected static void SetUnknown(FUnknownVtbl* v)
    {
        v->QueryInterface = &QueryInterface;
        v->AddRef = &AddRef;
        v->Release = &Release;
    }

    [UnmanagedCallersOnly]
    static int QueryInterface(void* self, byte* iid, void** obj) { *obj = self; return Vst3Result.Ok; }

    [UnmanagedCallersOnly]
    static uint AddRef(void* self) => 1;

    [UnmanagedCallersOnly]
    static uint Release(void* self) => 1;

    protected static T* Table<T>() where T : unmanaged => (T*)NativeMemory.AllocZeroed((nuint)sizeof(T));
}

/// <summary>IParameterChanges: one queue per parameter, points in the order added.</summary>
internal sealed unsafe class HostParameterChanges() : HostObject(Vtbl)
{
    static readonly ParameterChangesVtbl* Vtbl = Create();
    readonly List<HostParamValueQueue> queues = [];

    static ParameterChangesVtbl* Create()
    {
        var v = Table<ParameterChangesVtbl>();
        SetUnknown(&v->Unknown);
        v->GetParameterCount = &GetParameterCount;
        v->GetParameterData = &GetParameterData;
        v->AddParameterData = &AddParameterData;
        return v;
    }

    public void Add(uint id, int offset, double normalized)
    {
        var queue = queues.Find(q => q.Id == id);
        if (queue is null) queues.Add(queue = new HostParamValueQueue(id));
        queue.Points.Add((offset, normalized));
    }

    public override void Dispose()
    {
        foreach (var q in queues) q.Dispose();
        base.Dispose();
    }

    [UnmanagedCallersOnly]
    static int GetParameterCount(void* self) => From<HostParameterChanges>(self).queues.Count;

    [UnmanagedCallersOnly]
    static void* GetParameterData(void* self, int index)
    {
        var queues = From<HostParameterChanges>(self).queues;
        return (uint)index < (uint)queues.Count ? queues[index].Pointer : null;
    }

    [UnmanagedCallersOnly]
    static void* AddParameterData(void* self, uint* id, int* index) => null;
}

internal sealed unsafe class HostParamValueQueue(uint id) : HostObject(Vtbl)
{
    static readonly ParamValueQueueVtbl* Vtbl = Create();
    public uint Id { get; } = id;
    public readonly List<(int Offset, double Value)> Points = [];

    static ParamValueQueueVtbl* Create()
    {
        var v = Table<ParamValueQueueVtbl>();
        SetUnknown(&v->Unknown);
        v->GetParameterId = &GetParameterId;
        v->GetPointCount = &GetPointCount;
        v->GetPoint = &GetPoint;
        v->AddPoint = &AddPoint;
        return v;
    }

    [UnmanagedCallersOnly]
    static uint GetParameterId(void* self) => From<HostParamValueQueue>(self).Id;

    [UnmanagedCallersOnly]
    static int GetPointCount(void* self) => From<HostParamValueQueue>(self).Points.Count;

    [UnmanagedCallersOnly]
    static int GetPoint(void* self, int index, int* offset, double* value)
    {
        var points = From<HostParamValueQueue>(self).Points;
        if ((uint)index >= (uint)points.Count) return Vst3Result.InvalidArgument;
        (*offset, *value) = points[index];
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int AddPoint(void* self, int offset, double value, int* index) => Vst3Result.NotImplemented;
}

internal sealed unsafe class HostEventList() : HostObject(Vtbl)
{
    static readonly EventListVtbl* Vtbl = Create();
    readonly List<Vst3Event> events = [];

    static EventListVtbl* Create()
    {
        var v = Table<EventListVtbl>();
        SetUnknown(&v->Unknown);
        v->GetEventCount = &GetEventCount;
        v->GetEvent = &GetEvent;
        v->AddEvent = &AddEvent;
        return v;
    }

    internal void Add(in Vst3Event e) => events.Add(e);

    [UnmanagedCallersOnly]
    static int GetEventCount(void* self) => From<HostEventList>(self).events.Count;

    [UnmanagedCallersOnly]
    static int GetEvent(void* self, int index, Vst3Event* e)
    {
        var events = From<HostEventList>(self).events;
        if ((uint)index >= (uint)events.Count) return Vst3Result.InvalidArgument;
        *e = events[index];
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int AddEvent(void* self, Vst3Event* e) => Vst3Result.NotImplemented;
}

/// <summary>IBStream over a byte array: reads give at most 5 bytes and writes take at most 7 per call.</summary>
internal sealed unsafe class HostStream(byte[] initial) : HostObject(Vtbl)
{
    static readonly BStreamVtbl* Vtbl = Create();
    readonly MemoryStream stream = new(initial.Length == 0 ? [] : initial.ToArray()) { Position = 0 };
    readonly MemoryStream written = new();

    public byte[] Contents => written.ToArray();

    static BStreamVtbl* Create()
    {
        var v = Table<BStreamVtbl>();
        SetUnknown(&v->Unknown);
        v->Read = &Read;
        v->Write = &Write;
        v->Seek = &Seek;
        v->Tell = &Tell;
        return v;
    }

    [UnmanagedCallersOnly]
    static int Read(void* self, void* buffer, int count, int* read)
    {
        int n = From<HostStream>(self).stream.Read(new Span<byte>(buffer, Math.Clamp(count, 0, 5)));
        if (read != null) *read = n;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int Write(void* self, void* buffer, int count, int* writtenCount)
    {
        int n = Math.Clamp(count, 0, 7);
        From<HostStream>(self).written.Write(new ReadOnlySpan<byte>(buffer, n));
        if (writtenCount != null) *writtenCount = n;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int Seek(void* self, long position, int mode, long* result)
    {
        var s = From<HostStream>(self).stream;
        s.Position = mode switch { 0 => position, 1 => s.Position + position, _ => s.Length + position };
        if (result != null) *result = s.Position;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int Tell(void* self, long* position)
    {
        *position = From<HostStream>(self).stream.Position;
        return Vst3Result.Ok;
    }
}
