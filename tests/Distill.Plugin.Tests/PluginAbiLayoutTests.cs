using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Distill.Plugin.Clap;
using Distill.Plugin.Vst3;

namespace Distill.Tests.Plugin;

/// <summary>The interop declarations shared by the plugins and the test host, against the sizes and offsets of the
/// published CLAP 1.2 and VST3 headers (x86_64 Linux) as recorded in shared/notes/plugin-hosts.md. A shared
/// mistake would otherwise pass every test-host test; these numbers are independent of our code.</summary>
public class PluginAbiLayoutTests
{
    static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);

    [Fact]
    public void ClapStructSizes()
    {
        Assert.Equal(40, Unsafe.SizeOf<ClapPluginEntry>());
        Assert.Equal(88, Unsafe.SizeOf<ClapPluginDescriptor>());
        Assert.Equal(88, Unsafe.SizeOf<ClapHost>());
        Assert.Equal(96, Unsafe.SizeOf<ClapPlugin>());
        Assert.Equal(64, Unsafe.SizeOf<ClapProcess>());
        Assert.Equal(32, Unsafe.SizeOf<ClapAudioBuffer>());
        Assert.Equal(16, Unsafe.SizeOf<ClapEventHeader>());
        Assert.Equal(40, Unsafe.SizeOf<ClapEventNote>());
        Assert.Equal(56, Unsafe.SizeOf<ClapEventParamValue>());
        Assert.Equal(24, Unsafe.SizeOf<ClapEventMidi>());
        Assert.Equal(288, Unsafe.SizeOf<ClapAudioPortInfo>());
        Assert.Equal(268, Unsafe.SizeOf<ClapNotePortInfo>());
        Assert.Equal(1320, Unsafe.SizeOf<ClapParamInfo>());
    }

    [Fact]
    public void ClapFieldOffsets()
    {
        Assert.Equal(16, Offset<ClapPluginEntry>(nameof(ClapPluginEntry.Init)));
        Assert.Equal(32, Offset<ClapPluginEntry>(nameof(ClapPluginEntry.GetFactory)));
        Assert.Equal(80, Offset<ClapPluginDescriptor>(nameof(ClapPluginDescriptor.Features)));
        Assert.Equal(56, Offset<ClapHost>(nameof(ClapHost.GetExtension)));
        Assert.Equal(72, Offset<ClapPlugin>(nameof(ClapPlugin.Process)));
        Assert.Equal(80, Offset<ClapPlugin>(nameof(ClapPlugin.GetExtension)));
        Assert.Equal(88, Offset<ClapPlugin>(nameof(ClapPlugin.OnMainThread)));
        Assert.Equal(8, Offset<ClapProcess>(nameof(ClapProcess.FramesCount)));
        Assert.Equal(32, Offset<ClapProcess>(nameof(ClapProcess.AudioOutputs)));
        Assert.Equal(44, Offset<ClapProcess>(nameof(ClapProcess.AudioOutputsCount)));
        Assert.Equal(48, Offset<ClapProcess>(nameof(ClapProcess.InEvents)));
        Assert.Equal(56, Offset<ClapProcess>(nameof(ClapProcess.OutEvents)));
        Assert.Equal(16, Offset<ClapAudioBuffer>(nameof(ClapAudioBuffer.ChannelCount)));
        Assert.Equal(24, Offset<ClapAudioBuffer>(nameof(ClapAudioBuffer.ConstantMask)));
        Assert.Equal(10, Offset<ClapEventHeader>(nameof(ClapEventHeader.Type)));
        Assert.Equal(20, Offset<ClapEventNote>(nameof(ClapEventNote.PortIndex)));
        Assert.Equal(22, Offset<ClapEventNote>(nameof(ClapEventNote.Channel)));
        Assert.Equal(24, Offset<ClapEventNote>(nameof(ClapEventNote.Key)));
        Assert.Equal(32, Offset<ClapEventNote>(nameof(ClapEventNote.Velocity)));
        Assert.Equal(16, Offset<ClapEventParamValue>(nameof(ClapEventParamValue.ParamId)));
        Assert.Equal(24, Offset<ClapEventParamValue>(nameof(ClapEventParamValue.Cookie)));
        Assert.Equal(32, Offset<ClapEventParamValue>(nameof(ClapEventParamValue.NoteId)));
        Assert.Equal(40, Offset<ClapEventParamValue>(nameof(ClapEventParamValue.Key)));
        Assert.Equal(48, Offset<ClapEventParamValue>(nameof(ClapEventParamValue.Value)));
        Assert.Equal(16, Offset<ClapEventMidi>(nameof(ClapEventMidi.PortIndex)));
        Assert.Equal(18, Offset<ClapEventMidi>(nameof(ClapEventMidi.Status)));
        Assert.Equal(260, Offset<ClapAudioPortInfo>(nameof(ClapAudioPortInfo.Flags)));
        Assert.Equal(264, Offset<ClapAudioPortInfo>(nameof(ClapAudioPortInfo.ChannelCount)));
        Assert.Equal(272, Offset<ClapAudioPortInfo>(nameof(ClapAudioPortInfo.PortType)));
        Assert.Equal(280, Offset<ClapAudioPortInfo>(nameof(ClapAudioPortInfo.InPlacePair)));
        Assert.Equal(4, Offset<ClapNotePortInfo>(nameof(ClapNotePortInfo.SupportedDialects)));
        Assert.Equal(12, Offset<ClapNotePortInfo>("Name"));
        Assert.Equal(16, Offset<ClapParamInfo>("Name"));
        Assert.Equal(272, Offset<ClapParamInfo>("Module"));
        Assert.Equal(1296, Offset<ClapParamInfo>(nameof(ClapParamInfo.MinValue)));
        Assert.Equal(1304, Offset<ClapParamInfo>(nameof(ClapParamInfo.MaxValue)));
        Assert.Equal(1312, Offset<ClapParamInfo>(nameof(ClapParamInfo.DefaultValue)));
    }

    [Fact]
    public void Vst3StructSizes()
    {
        Assert.Equal(452, Unsafe.SizeOf<PFactoryInfo>());
        Assert.Equal(116, Unsafe.SizeOf<PClassInfo>());
        Assert.Equal(440, Unsafe.SizeOf<PClassInfo2>());
        Assert.Equal(276, Unsafe.SizeOf<BusInfo>());
        Assert.Equal(80, Unsafe.SizeOf<ProcessData>());
        Assert.Equal(24, Unsafe.SizeOf<AudioBusBuffers>());
        Assert.Equal(24, Unsafe.SizeOf<ProcessSetup>());
        Assert.Equal(792, Unsafe.SizeOf<ParameterInfo>());
        Assert.Equal(48, Unsafe.SizeOf<Vst3Event>());
        Assert.Equal(20, Unsafe.SizeOf<NoteOnEvent>());
    }

    [Fact]
    public void Vst3FieldOffsets()
    {
        Assert.Equal(20, Offset<PClassInfo>("Category"));
        Assert.Equal(52, Offset<PClassInfo>("Name"));
        Assert.Equal(120, Offset<PClassInfo2>("SubCategories"));
        Assert.Equal(12, Offset<BusInfo>("Name"));
        Assert.Equal(268, Offset<BusInfo>(nameof(BusInfo.BusType)));
        Assert.Equal(272, Offset<BusInfo>(nameof(BusInfo.Flags)));
        Assert.Equal(8, Offset<ProcessData>(nameof(ProcessData.NumSamples)));
        Assert.Equal(24, Offset<ProcessData>(nameof(ProcessData.Inputs)));
        Assert.Equal(32, Offset<ProcessData>(nameof(ProcessData.Outputs)));
        Assert.Equal(40, Offset<ProcessData>(nameof(ProcessData.InputParameterChanges)));
        Assert.Equal(48, Offset<ProcessData>(nameof(ProcessData.OutputParameterChanges)));
        Assert.Equal(56, Offset<ProcessData>(nameof(ProcessData.InputEvents)));
        Assert.Equal(64, Offset<ProcessData>(nameof(ProcessData.OutputEvents)));
        Assert.Equal(72, Offset<ProcessData>(nameof(ProcessData.ProcessContext)));
        Assert.Equal(4, Offset<Vst3Event>(nameof(Vst3Event.SampleOffset)));
        Assert.Equal(18, Offset<Vst3Event>(nameof(Vst3Event.Type)));
        Assert.Equal(24, Offset<Vst3Event>(nameof(Vst3Event.NoteOn)));
        Assert.Equal(2, Offset<NoteOnEvent>(nameof(NoteOnEvent.Pitch)));
        Assert.Equal(8, Offset<NoteOnEvent>(nameof(NoteOnEvent.Velocity)));
        Assert.Equal(16, Offset<NoteOnEvent>(nameof(NoteOnEvent.NoteId)));
    }

    /// <summary>Method slots after FUnknown's three, in header order.</summary>
    [Fact]
    public unsafe void Vst3VtableSlots()
    {
        int Slot<T>(string method) => Offset<T>(method) / sizeof(nint);
        Assert.Equal(3, Slot<PluginFactoryVtbl>(nameof(PluginFactoryVtbl.GetFactoryInfo)));
        Assert.Equal(6, Slot<PluginFactoryVtbl>(nameof(PluginFactoryVtbl.CreateInstance)));
        Assert.Equal(9, Slot<PluginFactoryVtbl>(nameof(PluginFactoryVtbl.SetHostContext)));
        Assert.Equal(11, Slot<ComponentVtbl>(nameof(ComponentVtbl.SetActive)));
        Assert.Equal(13, Slot<ComponentVtbl>(nameof(ComponentVtbl.GetState)));
        Assert.Equal(9, Slot<AudioProcessorVtbl>(nameof(AudioProcessorVtbl.Process)));
        Assert.Equal(10, Slot<AudioProcessorVtbl>(nameof(AudioProcessorVtbl.GetTailSamples)));
        Assert.Equal(17, Slot<EditControllerVtbl>(nameof(EditControllerVtbl.CreateView)));
        Assert.Equal(6, Slot<BStreamVtbl>(nameof(BStreamVtbl.Tell)));
        Assert.Equal(5, Slot<ParamValueQueueVtbl>(nameof(ParamValueQueueVtbl.GetPoint)));
    }

    [Fact]
    public void Vst3InterfaceIdsAreBigEndianOnLinux()
    {
        // IComponent's id as the header spells it: four uint32 E831FF31 F2D54301 928EBBEE 25697802.
        Assert.Equal(new byte[] { 0xE8, 0x31, 0xFF, 0x31, 0xF2, 0xD5, 0x43, 0x01, 0x92, 0x8E, 0xBB, 0xEE, 0x25, 0x69, 0x78, 0x02 },
            Vst3Iid.Component.ToByteArray(bigEndian: true));
    }
}
