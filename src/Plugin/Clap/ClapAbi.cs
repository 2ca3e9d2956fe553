using System.Runtime.InteropServices;

// The CLAP 1.2 C ABI (x86_64) as this project uses it, declared once: the plugin implements these structs and
// the test host drives the plugin through the same declarations. Offsets are checked against the published
// headers' numbers by ClapAbiLayoutTests.
namespace Distill.Plugin.Clap;

static class ClapIds
{
    public const uint InvalidId = uint.MaxValue;
    public const ushort CoreEventSpace = 0;
    public static ReadOnlySpan<byte> PluginFactory => "clap.plugin-factory"u8;
    public static ReadOnlySpan<byte> AudioPorts => "clap.audio-ports"u8;
    public static ReadOnlySpan<byte> NotePorts => "clap.note-ports"u8;
    public static ReadOnlySpan<byte> Params => "clap.params"u8;
    public static ReadOnlySpan<byte> State => "clap.state"u8;
    public static ReadOnlySpan<byte> Latency => "clap.latency"u8;
    public static ReadOnlySpan<byte> Render => "clap.render"u8;
    public static ReadOnlySpan<byte> PortStereo => "stereo\0"u8;
}

enum ClapProcessStatus { Error = 0, Continue = 1, ContinueIfNotQuiet = 2, Tail = 3, Sleep = 4 }

enum ClapEventType : ushort
{
    NoteOn = 0, NoteOff = 1, NoteChoke = 2, NoteEnd = 3, NoteExpression = 4, ParamValue = 5, ParamMod = 6,
    ParamGestureBegin = 7, ParamGestureEnd = 8, Transport = 9, Midi = 10, MidiSysex = 11, Midi2 = 12,
}

[Flags] enum ClapNoteDialect : uint { Clap = 1, Midi = 2, MidiMpe = 4, Midi2 = 8 }

[Flags] enum ClapParamFlags : uint
{
    Stepped = 1, Automatable = 1 << 5, Modulatable = 1 << 10, RequiresProcess = 1 << 15
}

enum ClapRenderMode { Realtime = 0, Offline = 1 }

[StructLayout(LayoutKind.Explicit, Size = 12)]
struct ClapVersion
{
    [FieldOffset(0)] public uint Major;
    [FieldOffset(4)] public uint Minor;
    [FieldOffset(8)] public uint Revision;
    public static ClapVersion Current => new() { Major = 1, Minor = 2, Revision = 2 };
}

/// <summary>clap_plugin_entry: defined as data in clap_entry.c (C# cannot export data).</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
unsafe struct ClapPluginEntry
{
    [FieldOffset(0)] public ClapVersion Version;
    [FieldOffset(16)] public delegate* unmanaged<byte*, byte> Init;
    [FieldOffset(24)] public delegate* unmanaged<void> Deinit;
    [FieldOffset(32)] public delegate* unmanaged<byte*, void*> GetFactory;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
unsafe struct ClapPluginFactory
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPluginFactory*, uint> GetPluginCount;
    [FieldOffset(8)] public delegate* unmanaged<ClapPluginFactory*, uint, ClapPluginDescriptor*> GetPluginDescriptor;
    [FieldOffset(16)] public delegate* unmanaged<ClapPluginFactory*, ClapHost*, byte*, ClapPlugin*> CreatePlugin;
}

[StructLayout(LayoutKind.Explicit, Size = 88)]
unsafe struct ClapPluginDescriptor
{
    [FieldOffset(0)] public ClapVersion ClapVersion;
    [FieldOffset(16)] public byte* Id;
    [FieldOffset(24)] public byte* Name;
    [FieldOffset(32)] public byte* Vendor;
    [FieldOffset(40)] public byte* Url;
    [FieldOffset(48)] public byte* ManualUrl;
    [FieldOffset(56)] public byte* SupportUrl;
    [FieldOffset(64)] public byte* Version;
    [FieldOffset(72)] public byte* Description;
    [FieldOffset(80)] public byte** Features;
}

[StructLayout(LayoutKind.Explicit, Size = 88)]
unsafe struct ClapHost
{
    [FieldOffset(0)] public ClapVersion ClapVersion;
    [FieldOffset(16)] public void* HostData;
    [FieldOffset(24)] public byte* Name;
    [FieldOffset(32)] public byte* Vendor;
    [FieldOffset(40)] public byte* Url;
    [FieldOffset(48)] public byte* Version;
    [FieldOffset(56)] public delegate* unmanaged<ClapHost*, byte*, void*> GetExtension;
    [FieldOffset(64)] public delegate* unmanaged<ClapHost*, void> RequestRestart;
    [FieldOffset(72)] public delegate* unmanaged<ClapHost*, void> RequestProcess;
    [FieldOffset(80)] public delegate* unmanaged<ClapHost*, void> RequestCallback;
}

[StructLayout(LayoutKind.Explicit, Size = 96)]
unsafe struct ClapPlugin
{
    [FieldOffset(0)] public ClapPluginDescriptor* Desc;
    [FieldOffset(8)] public nint PluginData;
    [FieldOffset(16)] public delegate* unmanaged<ClapPlugin*, byte> Init;
    [FieldOffset(24)] public delegate* unmanaged<ClapPlugin*, void> Destroy;
    [FieldOffset(32)] public delegate* unmanaged<ClapPlugin*, double, uint, uint, byte> Activate;
    [FieldOffset(40)] public delegate* unmanaged<ClapPlugin*, void> Deactivate;
    [FieldOffset(48)] public delegate* unmanaged<ClapPlugin*, byte> StartProcessing;
    [FieldOffset(56)] public delegate* unmanaged<ClapPlugin*, void> StopProcessing;
    [FieldOffset(64)] public delegate* unmanaged<ClapPlugin*, void> Reset;
    [FieldOffset(72)] public delegate* unmanaged<ClapPlugin*, ClapProcess*, ClapProcessStatus> Process;
    [FieldOffset(80)] public delegate* unmanaged<ClapPlugin*, byte*, void*> GetExtension;
    [FieldOffset(88)] public delegate* unmanaged<ClapPlugin*, void> OnMainThread;
}

[StructLayout(LayoutKind.Explicit, Size = 64)]
unsafe struct ClapProcess
{
    [FieldOffset(0)] public long SteadyTime;
    [FieldOffset(8)] public uint FramesCount;
    [FieldOffset(16)] public void* Transport;
    [FieldOffset(24)] public ClapAudioBuffer* AudioInputs;
    [FieldOffset(32)] public ClapAudioBuffer* AudioOutputs;
    [FieldOffset(40)] public uint AudioInputsCount;
    [FieldOffset(44)] public uint AudioOutputsCount;
    [FieldOffset(48)] public ClapInputEvents* InEvents;
    [FieldOffset(56)] public ClapOutputEvents* OutEvents;
}

[StructLayout(LayoutKind.Explicit, Size = 32)]
unsafe struct ClapAudioBuffer
{
    [FieldOffset(0)] public float** Data32;
    [FieldOffset(8)] public double** Data64;
    [FieldOffset(16)] public uint ChannelCount;
    [FieldOffset(20)] public uint Latency;
    [FieldOffset(24)] public ulong ConstantMask;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
unsafe struct ClapInputEvents
{
    [FieldOffset(0)] public void* Ctx;
    [FieldOffset(8)] public delegate* unmanaged<ClapInputEvents*, uint> Size;
    [FieldOffset(16)] public delegate* unmanaged<ClapInputEvents*, uint, ClapEventHeader*> Get;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapOutputEvents
{
    [FieldOffset(0)] public void* Ctx;
    [FieldOffset(8)] public delegate* unmanaged<ClapOutputEvents*, ClapEventHeader*, byte> TryPush;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
struct ClapEventHeader
{
    [FieldOffset(0)] public uint Size;
    [FieldOffset(4)] public uint Time;
    [FieldOffset(8)] public ushort SpaceId;
    [FieldOffset(10)] public ClapEventType Type;
    [FieldOffset(12)] public uint Flags;
}

[StructLayout(LayoutKind.Explicit, Size = 40)]
struct ClapEventNote
{
    [FieldOffset(0)] public ClapEventHeader Header;
    [FieldOffset(16)] public int NoteId;
    [FieldOffset(20)] public short PortIndex;
    [FieldOffset(22)] public short Channel;
    [FieldOffset(24)] public short Key;
    [FieldOffset(32)] public double Velocity;
}

[StructLayout(LayoutKind.Explicit, Size = 56)]
unsafe struct ClapEventParamValue
{
    [FieldOffset(0)] public ClapEventHeader Header;
    [FieldOffset(16)] public uint ParamId;
    [FieldOffset(24)] public void* Cookie;
    [FieldOffset(32)] public int NoteId;
    [FieldOffset(36)] public short PortIndex;
    [FieldOffset(38)] public short Channel;
    [FieldOffset(40)] public short Key;
    [FieldOffset(48)] public double Value;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
struct ClapEventMidi
{
    [FieldOffset(0)] public ClapEventHeader Header;
    [FieldOffset(16)] public ushort PortIndex;
    [FieldOffset(18)] public byte Status;
    [FieldOffset(19)] public byte Data1;
    [FieldOffset(20)] public byte Data2;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapPluginAudioPorts
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPlugin*, byte, uint> Count;
    [FieldOffset(8)] public delegate* unmanaged<ClapPlugin*, uint, byte, ClapAudioPortInfo*, byte> Get;
}

[StructLayout(LayoutKind.Explicit, Size = 288)]
unsafe struct ClapAudioPortInfo
{
    public const int NameSize = 256;
    public const uint FlagIsMain = 1;
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public fixed byte Name[NameSize];
    [FieldOffset(260)] public uint Flags;
    [FieldOffset(264)] public uint ChannelCount;
    [FieldOffset(272)] public byte* PortType;
    [FieldOffset(280)] public uint InPlacePair;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapPluginNotePorts
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPlugin*, byte, uint> Count;
    [FieldOffset(8)] public delegate* unmanaged<ClapPlugin*, uint, byte, ClapNotePortInfo*, byte> Get;
}

[StructLayout(LayoutKind.Explicit, Size = 268)]
unsafe struct ClapNotePortInfo
{
    public const int NameSize = 256;
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public ClapNoteDialect SupportedDialects;
    [FieldOffset(8)] public ClapNoteDialect PreferredDialect;
    [FieldOffset(12)] public fixed byte Name[NameSize];
}

[StructLayout(LayoutKind.Explicit, Size = 48)]
unsafe struct ClapPluginParams
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPlugin*, uint> Count;
    [FieldOffset(8)] public delegate* unmanaged<ClapPlugin*, uint, ClapParamInfo*, byte> GetInfo;
    [FieldOffset(16)] public delegate* unmanaged<ClapPlugin*, uint, double*, byte> GetValue;
    [FieldOffset(24)] public delegate* unmanaged<ClapPlugin*, uint, double, byte*, uint, byte> ValueToText;
    [FieldOffset(32)] public delegate* unmanaged<ClapPlugin*, uint, byte*, double*, byte> TextToValue;
    [FieldOffset(40)] public delegate* unmanaged<ClapPlugin*, ClapInputEvents*, ClapOutputEvents*, void> Flush;
}

[StructLayout(LayoutKind.Explicit, Size = 1320)]
unsafe struct ClapParamInfo
{
    public const int NameSize = 256, PathSize = 1024;
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public ClapParamFlags Flags;
    [FieldOffset(8)] public void* Cookie;
    [FieldOffset(16)] public fixed byte Name[NameSize];
    [FieldOffset(272)] public fixed byte Module[PathSize];
    [FieldOffset(1296)] public double MinValue;
    [FieldOffset(1304)] public double MaxValue;
    [FieldOffset(1312)] public double DefaultValue;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapPluginState
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPlugin*, ClapOutputStream*, byte> Save;
    [FieldOffset(8)] public delegate* unmanaged<ClapPlugin*, ClapInputStream*, byte> Load;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapInputStream
{
    [FieldOffset(0)] public void* Ctx;
    /// <summary>Returns bytes read (may be fewer than asked), 0 at end, −1 on error.</summary>
    [FieldOffset(8)] public delegate* unmanaged<ClapInputStream*, void*, ulong, long> Read;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapOutputStream
{
    [FieldOffset(0)] public void* Ctx;
    /// <summary>Returns bytes written (may be fewer than given), −1 on error.</summary>
    [FieldOffset(8)] public delegate* unmanaged<ClapOutputStream*, void*, ulong, long> Write;
}

[StructLayout(LayoutKind.Explicit, Size = 8)]
unsafe struct ClapPluginLatency
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPlugin*, uint> Get;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
unsafe struct ClapPluginRender
{
    [FieldOffset(0)] public delegate* unmanaged<ClapPlugin*, byte> HasHardRealtimeRequirement;
    [FieldOffset(8)] public delegate* unmanaged<ClapPlugin*, ClapRenderMode, byte> Set;
}
