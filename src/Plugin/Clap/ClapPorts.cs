using System.Runtime.InteropServices;
using Distill.Plugin.Core;
using Distill.Plugin.Interop;

namespace Distill.Plugin.Clap;

/// <summary>clap.audio-ports (no input, one stereo output) and clap.note-ports (one input, CLAP and
/// MIDI dialects).</summary>
static unsafe class ClapPorts
{
    public static readonly ClapPluginAudioPorts* Audio = CreateAudio();
    public static readonly ClapPluginNotePorts* Notes = CreateNotes();
    static readonly byte* StereoPortType = NativeText.Persistent("stereo");

    static ClapPluginAudioPorts* CreateAudio()
    {
        var x = (ClapPluginAudioPorts*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginAudioPorts));
        x->Count = &AudioCount;
        x->Get = &AudioGet;
        return x;
    }

    static ClapPluginNotePorts* CreateNotes()
    {
        var x = (ClapPluginNotePorts*)NativeMemory.AllocZeroed((nuint)sizeof(ClapPluginNotePorts));
        x->Count = &NoteCount;
        x->Get = &NoteGet;
        return x;
    }

    [UnmanagedCallersOnly]
    static uint AudioCount(ClapPlugin* p, byte isInput) => isInput != 0 ? 0u : 1u;

    [UnmanagedCallersOnly]
    static byte AudioGet(ClapPlugin* p, uint index, byte isInput, ClapAudioPortInfo* info)
    {
        if (isInput != 0 || index != 0 || info == null) return 0;
        try
        {
            *info = default;
            info->Id = 0;
            NativeText.WriteUtf8("Output", info->Name, ClapAudioPortInfo.NameSize);
            info->Flags = ClapAudioPortInfo.FlagIsMain;
            info->ChannelCount = PluginDescriptor.OutputChannels;
            info->PortType = StereoPortType;
            info->InPlacePair = ClapIds.InvalidId;
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap audio_ports.get", e); return 0; }
    }

    [UnmanagedCallersOnly]
    static uint NoteCount(ClapPlugin* p, byte isInput) => isInput != 0 ? 1u : 0u;

    [UnmanagedCallersOnly]
    static byte NoteGet(ClapPlugin* p, uint index, byte isInput, ClapNotePortInfo* info)
    {
        if (isInput == 0 || index != 0 || info == null) return 0;
        try
        {
            *info = default;
            info->Id = 0;
            info->SupportedDialects = ClapNoteDialect.Clap | ClapNoteDialect.Midi;
            info->PreferredDialect = ClapNoteDialect.Clap;
            NativeText.WriteUtf8("Notes", info->Name, ClapNotePortInfo.NameSize);
            return 1;
        }
        catch (Exception e) { PluginLog.Error("clap note_ports.get", e); return 0; }
    }
}
