using System.Runtime.InteropServices;

// The VST3 C++ ABI (Linux x86_64, GCC: no packing) as this project uses it, declared once: the plugin implements
// these vtables and the test host calls through the same declarations. Checked against the published sizes by
// Vst3AbiLayoutTests. An interface pointer points at an object whose first field is its vtable pointer.
namespace Distill.Plugin.Vst3;

static class Vst3Result
{
    public const int NoInterface = -1, Ok = 0, False = 1, InvalidArgument = 2, NotImplemented = 3, InternalError = 4,
        NotInitialized = 5, OutOfMemory = 6;
}

/// <summary>Interface ids. On Linux each of the four uint32 is stored big-endian, so the 16 bytes follow the
/// textual order: <c>guid.ToByteArray(bigEndian: true)</c>.</summary>
static class Vst3Iid
{
    public static readonly Guid FUnknown = new("00000000-0000-0000-C000-000000000046");
    public static readonly Guid PluginBase = new("22888DDB-156E-45AE-8358-B34808190625");
    public static readonly Guid PluginFactory = new("7A4D811C-5211-4A1F-AED9-D2EE0B43BF9F");
    public static readonly Guid PluginFactory2 = new("0007B650-F24B-4C0B-A464-EDB9F00B2ABB");
    public static readonly Guid PluginFactory3 = new("4555A2AB-C123-4E57-9B12-291036878931");
    public static readonly Guid Component = new("E831FF31-F2D5-4301-928E-BBEE25697802");
    public static readonly Guid AudioProcessor = new("42043F99-B7DA-453C-A569-E79D9AAEC33D");
    public static readonly Guid EditController = new("DCD7BBE3-7742-448D-A874-AACC979C759E");
    public static readonly Guid MidiMapping = new("DF0FF9F7-49B7-4669-B63A-B7327ADBF5E5");
    public static readonly Guid BStream = new("C3BF6EA2-3099-4752-9B6B-F9901EE33E9B");
    public static readonly Guid ParameterChanges = new("A4779663-0BB6-4A56-B443-84A8466FEB9D");
    public static readonly Guid ParamValueQueue = new("01263A18-ED07-4F6F-98C9-D3564686F9BA");
    public static readonly Guid EventList = new("3A2C4214-3463-49FE-B2C4-F397B9695A44");
    public static readonly Guid ProcessContextRequirements = new("2A654303-EF76-4E3D-95B5-FE83730EF6D0");

    public static unsafe Guid Read(byte* tuid) => new(new ReadOnlySpan<byte>(tuid, 16), bigEndian: true);

    public static unsafe void Write(Guid id, byte* tuid) =>
        id.TryWriteBytes(new Span<byte>(tuid, 16), bigEndian: true, out _);
}

static class Vst3Constants
{
    public const int MediaAudio = 0, MediaEvent = 1;
    public const int DirectionInput = 0, DirectionOutput = 1;
    public const int BusMain = 0;
    public const uint BusDefaultActive = 1;
    public const ulong SpeakerStereo = 3;
    public const int Sample32 = 0, Sample64 = 1;
    public const int ProcessRealtime = 0, ProcessPrefetch = 1, ProcessOffline = 2;
    public const int ParameterCanAutomate = 1, ParameterIsList = 8;
    public const int ManyInstances = 0x7FFFFFFF;
    public const int FactoryUnicode = 1 << 4;
    public const ushort EventNoteOn = 0, EventNoteOff = 1;
    public const short MidiCcModWheel = 1;
    public const uint InfiniteTail = uint.MaxValue;
    public const string AudioModuleClass = "Audio Module Class";
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct FUnknownVtbl
{
    public delegate* unmanaged<void*, byte*, void**, int> QueryInterface;
    public delegate* unmanaged<void*, uint> AddRef;
    public delegate* unmanaged<void*, uint> Release;
}

/// <summary>IPluginFactory, 2 and 3 in one table (each extends the one before).</summary>
[StructLayout(LayoutKind.Sequential)]
unsafe struct PluginFactoryVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, PFactoryInfo*, int> GetFactoryInfo;
    public delegate* unmanaged<void*, int> CountClasses;
    public delegate* unmanaged<void*, int, PClassInfo*, int> GetClassInfo;
    public delegate* unmanaged<void*, byte*, byte*, void**, int> CreateInstance;
    public delegate* unmanaged<void*, int, PClassInfo2*, int> GetClassInfo2;
    public delegate* unmanaged<void*, int, PClassInfoW*, int> GetClassInfoUnicode;
    public delegate* unmanaged<void*, void*, int> SetHostContext;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct ComponentVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, void*, int> Initialize;
    public delegate* unmanaged<void*, int> Terminate;
    public delegate* unmanaged<void*, byte*, int> GetControllerClassId;
    public delegate* unmanaged<void*, int, int> SetIoMode;
    public delegate* unmanaged<void*, int, int, int> GetBusCount;
    public delegate* unmanaged<void*, int, int, int, BusInfo*, int> GetBusInfo;
    public delegate* unmanaged<void*, void*, void*, int> GetRoutingInfo;
    public delegate* unmanaged<void*, int, int, int, byte, int> ActivateBus;
    public delegate* unmanaged<void*, byte, int> SetActive;
    public delegate* unmanaged<void*, void*, int> SetState;
    public delegate* unmanaged<void*, void*, int> GetState;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct AudioProcessorVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, ulong*, int, ulong*, int, int> SetBusArrangements;
    public delegate* unmanaged<void*, int, int, ulong*, int> GetBusArrangement;
    public delegate* unmanaged<void*, int, int> CanProcessSampleSize;
    public delegate* unmanaged<void*, uint> GetLatencySamples;
    public delegate* unmanaged<void*, ProcessSetup*, int> SetupProcessing;
    public delegate* unmanaged<void*, byte, int> SetProcessing;
    public delegate* unmanaged<void*, ProcessData*, int> Process;
    public delegate* unmanaged<void*, uint> GetTailSamples;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct ProcessContextRequirementsVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, uint> GetProcessContextRequirements;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct EditControllerVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, void*, int> Initialize;
    public delegate* unmanaged<void*, int> Terminate;
    public delegate* unmanaged<void*, void*, int> SetComponentState;
    public delegate* unmanaged<void*, void*, int> SetState;
    public delegate* unmanaged<void*, void*, int> GetState;
    public delegate* unmanaged<void*, int> GetParameterCount;
    public delegate* unmanaged<void*, int, ParameterInfo*, int> GetParameterInfo;
    public delegate* unmanaged<void*, uint, double, char*, int> GetParamStringByValue;
    public delegate* unmanaged<void*, uint, char*, double*, int> GetParamValueByString;
    public delegate* unmanaged<void*, uint, double, double> NormalizedParamToPlain;
    public delegate* unmanaged<void*, uint, double, double> PlainParamToNormalized;
    public delegate* unmanaged<void*, uint, double> GetParamNormalized;
    public delegate* unmanaged<void*, uint, double, int> SetParamNormalized;
    public delegate* unmanaged<void*, void*, int> SetComponentHandler;
    public delegate* unmanaged<void*, byte*, void*> CreateView;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct MidiMappingVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, int, short, short, uint*, int> GetMidiControllerAssignment;
}

/// <summary>Host side: state streams.</summary>
[StructLayout(LayoutKind.Sequential)]
unsafe struct BStreamVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, void*, int, int*, int> Read;
    public delegate* unmanaged<void*, void*, int, int*, int> Write;
    public delegate* unmanaged<void*, long, int, long*, int> Seek;
    public delegate* unmanaged<void*, long*, int> Tell;
}

/// <summary>Host side: the parameter changes of one block.</summary>
[StructLayout(LayoutKind.Sequential)]
unsafe struct ParameterChangesVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, int> GetParameterCount;
    public delegate* unmanaged<void*, int, void*> GetParameterData;
    public delegate* unmanaged<void*, uint*, int*, void*> AddParameterData;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct ParamValueQueueVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, uint> GetParameterId;
    public delegate* unmanaged<void*, int> GetPointCount;
    public delegate* unmanaged<void*, int, int*, double*, int> GetPoint;
    public delegate* unmanaged<void*, int, double, int*, int> AddPoint;
}

[StructLayout(LayoutKind.Sequential)]
unsafe struct EventListVtbl
{
    public FUnknownVtbl Unknown;
    public delegate* unmanaged<void*, int> GetEventCount;
    public delegate* unmanaged<void*, int, Vst3Event*, int> GetEvent;
    public delegate* unmanaged<void*, Vst3Event*, int> AddEvent;
}

[StructLayout(LayoutKind.Explicit, Size = 452)]
unsafe struct PFactoryInfo
{
    [FieldOffset(0)] public fixed byte Vendor[64];
    [FieldOffset(64)] public fixed byte Url[256];
    [FieldOffset(320)] public fixed byte Email[128];
    [FieldOffset(448)] public int Flags;
}

[StructLayout(LayoutKind.Explicit, Size = 116)]
unsafe struct PClassInfo
{
    [FieldOffset(0)] public fixed byte Cid[16];
    [FieldOffset(16)] public int Cardinality;
    [FieldOffset(20)] public fixed byte Category[32];
    [FieldOffset(52)] public fixed byte Name[64];
}

[StructLayout(LayoutKind.Explicit, Size = 440)]
unsafe struct PClassInfo2
{
    [FieldOffset(0)] public fixed byte Cid[16];
    [FieldOffset(16)] public int Cardinality;
    [FieldOffset(20)] public fixed byte Category[32];
    [FieldOffset(52)] public fixed byte Name[64];
    [FieldOffset(116)] public uint ClassFlags;
    [FieldOffset(120)] public fixed byte SubCategories[128];
    [FieldOffset(248)] public fixed byte Vendor[64];
    [FieldOffset(312)] public fixed byte Version[64];
    [FieldOffset(376)] public fixed byte SdkVersion[64];
}

[StructLayout(LayoutKind.Explicit, Size = 696)]
unsafe struct PClassInfoW
{
    [FieldOffset(0)] public fixed byte Cid[16];
    [FieldOffset(16)] public int Cardinality;
    [FieldOffset(20)] public fixed byte Category[32];
    [FieldOffset(52)] public fixed char Name[64];
    [FieldOffset(180)] public uint ClassFlags;
    [FieldOffset(184)] public fixed byte SubCategories[128];
    [FieldOffset(312)] public fixed char Vendor[64];
    [FieldOffset(440)] public fixed char Version[64];
    [FieldOffset(568)] public fixed char SdkVersion[64];
}

[StructLayout(LayoutKind.Explicit, Size = 276)]
unsafe struct BusInfo
{
    [FieldOffset(0)] public int MediaType;
    [FieldOffset(4)] public int Direction;
    [FieldOffset(8)] public int ChannelCount;
    [FieldOffset(12)] public fixed char Name[128];
    [FieldOffset(268)] public int BusType;
    [FieldOffset(272)] public uint Flags;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
struct ProcessSetup
{
    [FieldOffset(0)] public int ProcessMode;
    [FieldOffset(4)] public int SymbolicSampleSize;
    [FieldOffset(8)] public int MaxSamplesPerBlock;
    [FieldOffset(16)] public double SampleRate;
}

[StructLayout(LayoutKind.Explicit, Size = 24)]
unsafe struct AudioBusBuffers
{
    [FieldOffset(0)] public int NumChannels;
    [FieldOffset(8)] public ulong SilenceFlags;
    [FieldOffset(16)] public float** ChannelBuffers32;
}

[StructLayout(LayoutKind.Explicit, Size = 80)]
unsafe struct ProcessData
{
    [FieldOffset(0)] public int ProcessMode;
    [FieldOffset(4)] public int SymbolicSampleSize;
    [FieldOffset(8)] public int NumSamples;
    [FieldOffset(12)] public int NumInputs;
    [FieldOffset(16)] public int NumOutputs;
    [FieldOffset(24)] public AudioBusBuffers* Inputs;
    [FieldOffset(32)] public AudioBusBuffers* Outputs;
    [FieldOffset(40)] public void* InputParameterChanges;
    [FieldOffset(48)] public void* OutputParameterChanges;
    [FieldOffset(56)] public void* InputEvents;
    [FieldOffset(64)] public void* OutputEvents;
    [FieldOffset(72)] public void* ProcessContext;
}

[StructLayout(LayoutKind.Explicit, Size = 792)]
unsafe struct ParameterInfo
{
    [FieldOffset(0)] public uint Id;
    [FieldOffset(4)] public fixed char Title[128];
    [FieldOffset(260)] public fixed char ShortTitle[128];
    [FieldOffset(516)] public fixed char Units[128];
    [FieldOffset(772)] public int StepCount;
    [FieldOffset(776)] public double DefaultNormalizedValue;
    [FieldOffset(784)] public int UnitId;
    [FieldOffset(788)] public int Flags;
}

[StructLayout(LayoutKind.Explicit, Size = 20)]
struct NoteOnEvent
{
    [FieldOffset(0)] public short Channel;
    [FieldOffset(2)] public short Pitch;
    [FieldOffset(4)] public float Tuning;
    [FieldOffset(8)] public float Velocity;
    [FieldOffset(12)] public int Length;
    [FieldOffset(16)] public int NoteId;
}

[StructLayout(LayoutKind.Explicit, Size = 16)]
struct NoteOffEvent
{
    [FieldOffset(0)] public short Channel;
    [FieldOffset(2)] public short Pitch;
    [FieldOffset(4)] public float Velocity;
    [FieldOffset(8)] public int NoteId;
    [FieldOffset(12)] public float Tuning;
}

[StructLayout(LayoutKind.Explicit, Size = 48)]
struct Vst3Event
{
    [FieldOffset(0)] public int BusIndex;
    [FieldOffset(4)] public int SampleOffset;
    [FieldOffset(8)] public double PpqPosition;
    [FieldOffset(16)] public ushort Flags;
    [FieldOffset(18)] public ushort Type;
    [FieldOffset(24)] public NoteOnEvent NoteOn;
    [FieldOffset(24)] public NoteOffEvent NoteOff;
    // The payload union's largest member is 24 bytes: Size = 48 reserves it.
}
