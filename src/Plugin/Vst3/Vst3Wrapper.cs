using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Vst3;

/// <summary>An interface pointer of ours: the vtable, then the GC handle of the instance behind it.</summary>
[StructLayout(LayoutKind.Sequential)]
unsafe struct Vst3Face
{
    public void* Vtbl;
    public nint Handle;
}

/// <summary>
/// One plugin instance: a single object that is the component (IComponent + IAudioProcessor) and its own
/// edit controller (IEditController + IMidiMapping), so no connection between two objects is needed. Each
/// interface is a <see cref="Vst3Face"/> in one native block; the object is freed when the last reference goes.
/// Every callback catches everything: an exception crossing the C ABI would abort the host.
/// </summary>
sealed unsafe partial class Vst3Wrapper
{
    const int ComponentFace = 0, ProcessorFace = 1, ControllerFace = 2, MidiMappingFace = 3,
              ContextRequirementsFace = 4, FaceCount = 5;

    public readonly DistillPlugin Plugin = new();
    public readonly BlockRenderer Block = new();
    readonly Vst3Face* faces;
    int references = 1;

    /// <summary>A new instance holding one reference.</summary>
    public Vst3Wrapper()
    {
        faces = (Vst3Face*)NativeMemory.AllocZeroed(FaceCount, (nuint)sizeof(Vst3Face));
        nint handle = GCHandle.ToIntPtr(GCHandle.Alloc(this));
        faces[ComponentFace] = new Vst3Face { Vtbl = ComponentTable, Handle = handle };
        faces[ProcessorFace] = new Vst3Face { Vtbl = ProcessorTable, Handle = handle };
        faces[ControllerFace] = new Vst3Face { Vtbl = ControllerTable, Handle = handle };
        faces[MidiMappingFace] = new Vst3Face { Vtbl = MidiMappingTable, Handle = handle };
        faces[ContextRequirementsFace] = new Vst3Face { Vtbl = ContextRequirementsTable, Handle = handle };
    }

    /// <summary>Between IPluginBase initialize and terminate (each answers kResultFalse when called out
    /// of turn).</summary>
    bool initialized;

    /// <summary>The instance behind one of our interface pointers, or null once it is freed. Never throws.</summary>
    public static Vst3Wrapper? From(void* self)
    {
        try
        {
            return self == null || ((Vst3Face*)self)->Handle == 0
                ? null : GCHandle.FromIntPtr(((Vst3Face*)self)->Handle).Target as Vst3Wrapper;
        }
        catch (InvalidOperationException) { return null; }
    }

    public int QueryInterface(Guid iid, void** obj)
    {
        int face = iid == Vst3Iid.FUnknown || iid == Vst3Iid.PluginBase || iid == Vst3Iid.Component ? ComponentFace
            : iid == Vst3Iid.AudioProcessor ? ProcessorFace
            : iid == Vst3Iid.EditController ? ControllerFace
            : iid == Vst3Iid.MidiMapping ? MidiMappingFace
            : iid == Vst3Iid.ProcessContextRequirements ? ContextRequirementsFace
            : -1;
        if (face < 0) { *obj = null; return Vst3Result.NoInterface; }
        Interlocked.Increment(ref references);
        *obj = &faces[face];
        return Vst3Result.Ok;
    }

    public uint Release()
    {
        int left = Interlocked.Decrement(ref references);
        if (left == 0) Free();
        return (uint)Math.Max(left, 0);
    }

    void Free()
    {
        Plugin.Dispose();
        GCHandle.FromIntPtr(faces[0].Handle).Free();
        for (int i = 0; i < FaceCount; i++) faces[i].Handle = 0;
        NativeMemory.Free(faces);
    }

    // FUnknown and IPluginBase, shared by every face.

    [UnmanagedCallersOnly]
    static int QueryInterface(void* self, byte* iid, void** obj)
    {
        try
        {
            if (obj == null) return Vst3Result.InvalidArgument;
            *obj = null;
            if (iid == null || From(self) is not { } w) return Vst3Result.InvalidArgument;
            return w.QueryInterface(Vst3Iid.Read(iid), obj);
        }
        catch (Exception e) { PluginLog.Error("vst3 queryInterface", e); return Vst3Result.InternalError; }
    }

    [UnmanagedCallersOnly]
    static uint AddRef(void* self) => From(self) is { } w ? (uint)Interlocked.Increment(ref w.references) : 0;

    [UnmanagedCallersOnly]
    static uint Release(void* self)
    {
        try { return From(self)?.Release() ?? 0; }
        catch (Exception e) { PluginLog.Error("vst3 release", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static int Initialize(void* self, void* context)
    {
        if (From(self) is not { } w) return Vst3Result.InvalidArgument;
        if (w.initialized) return Vst3Result.False;
        w.initialized = true;
        return Vst3Result.Ok;
    }

    [UnmanagedCallersOnly]
    static int Terminate(void* self)
    {
        try
        {
            if (From(self) is not { } w) return Vst3Result.InvalidArgument;
            if (!w.initialized) return Vst3Result.False;
            w.initialized = false;
            w.Plugin.Deactivate();
            return Vst3Result.Ok;
        }
        catch (Exception e) { PluginLog.Error("vst3 terminate", e); return Vst3Result.InternalError; }
    }

    static void SetUnknown(FUnknownVtbl* v)
    {
        v->QueryInterface = &QueryInterface;
        v->AddRef = &AddRef;
        v->Release = &Release;
    }

    static T* AllocateTable<T>() where T : unmanaged => (T*)NativeMemory.AllocZeroed((nuint)sizeof(T));

    static readonly ProcessContextRequirementsVtbl* ContextRequirementsTable = CreateContextRequirementsTable();

    static ProcessContextRequirementsVtbl* CreateContextRequirementsTable()
    {
        var v = AllocateTable<ProcessContextRequirementsVtbl>();
        SetUnknown(&v->Unknown);
        v->GetProcessContextRequirements = &GetProcessContextRequirements;
        return v;
    }

    /// <summary>Nothing of the process context is read: tempo, transport and positions play no part
    /// in generation.</summary>
    [UnmanagedCallersOnly]
    static uint GetProcessContextRequirements(void* self) => 0;

    static readonly MidiMappingVtbl* MidiMappingTable = CreateMidiMappingTable();

    static MidiMappingVtbl* CreateMidiMappingTable()
    {
        var v = AllocateTable<MidiMappingVtbl>();
        SetUnknown(&v->Unknown);
        v->GetMidiControllerAssignment = &GetMidiControllerAssignment;
        return v;
    }
}
