using System.Runtime.InteropServices;
using System.Text;
using Distill.Plugin.Core;
using Distill.Plugin.Clap;
using Distill.Runtime.Engine;

namespace Distill.Tests.Plugin;

/// <summary>What only CLAP has: the entry, the factory, the descriptor, ports, flush, render mode.</summary>
public unsafe class ClapBinaryTests
{
    static string[] Features(ClapPluginDescriptor* d)
    {
        var list = new List<string>();
        for (int i = 0; d->Features[i] != null; i++) list.Add(ClapModule.Text(d->Features[i])!);
        return list.ToArray();
    }

    [Fact]
    public void EntryFactoryAndDescriptorDescribeTheInstrument()
    {
        var module = ClapModule.Shared;
        Assert.Equal(1u, module.Entry->Version.Major);
        Assert.Equal(1u, module.PluginCount);
        var d = module.Descriptor(0);
        Assert.Equal(PluginDescriptor.ClapId, ClapModule.Text(d->Id));
        Assert.Equal(PluginDescriptor.Name, ClapModule.Text(d->Name));
        Assert.Equal(PluginDescriptor.Vendor, ClapModule.Text(d->Vendor));
        Assert.Equal(PluginDescriptor.Version, ClapModule.Text(d->Version));
        Assert.Equal(["instrument", "synthesizer", "stereo"], Features(d));
        Assert.True(module.Descriptor(1) == null);
        fixed (byte* other = "clap.preset-discovery-factory\0"u8) Assert.True(module.Entry->GetFactory(other) == null);
        fixed (byte* wrong = "audio.distill.other\0"u8)
            Assert.True(module.Factory->CreatePlugin(module.Factory, null, wrong) == null);
    }

    [Fact]
    public void InitAndDeinitAreReferenceCounted()
    {
        var module = ClapModule.Shared;
        fixed (byte* path = Encoding.UTF8.GetBytes(PluginBinaries.ClapPath + "\0"))
        {
            Assert.Equal(1, module.Entry->Init(path));
            module.Entry->Deinit();
        }
        using var plugin = new ClapPluginUnderTest(module);
        Assert.True(plugin.Activate(48000, 64));
    }

    [Fact]
    public void PortsAreOneStereoOutputAndOneNoteInput()
    {
        using var plugin = new ClapPluginUnderTest(ClapModule.Shared);
        var audio = (ClapPluginAudioPorts*)plugin.Extension("clap.audio-ports\0"u8);
        var notes = (ClapPluginNotePorts*)plugin.Extension("clap.note-ports\0"u8);
        Assert.True(audio != null && notes != null);
        Assert.True(plugin.Extension("clap.gui\0"u8) == null);
        var p = plugin.Plugin;
        Assert.Equal(0u, audio->Count(p, 1));
        Assert.Equal(1u, audio->Count(p, 0));
        ClapAudioPortInfo info;
        Assert.Equal(1, audio->Get(p, 0, 0, &info));
        Assert.Equal(2u, info.ChannelCount);
        Assert.Equal(ClapAudioPortInfo.FlagIsMain, info.Flags & ClapAudioPortInfo.FlagIsMain);
        Assert.Equal("stereo", ClapModule.Text(info.PortType));
        Assert.Equal(0, audio->Get(p, 1, 0, &info));
        Assert.Equal(1u, notes->Count(p, 1));
        Assert.Equal(0u, notes->Count(p, 0));
        ClapNotePortInfo note;
        Assert.Equal(1, notes->Get(p, 0, 1, &note));
        Assert.Equal(ClapNoteDialect.Clap | ClapNoteDialect.Midi, note.SupportedDialects);
    }

    [Fact]
    public void FlushAppliesParameterValuesActiveOrNot()
    {
        using var plugin = new ClapPluginUnderTest(ClapModule.Shared);
        plugin.Flush([HostEvent.Param(0, (uint)ParameterId.Seed, 42), HostEvent.Param(0, (uint)ParameterId.Attack, 99)]);
        Assert.Equal(42, plugin.GetValue((uint)ParameterId.Seed));
        Assert.Equal(InstrumentParameters.Get(ParameterId.Attack).Max, plugin.GetValue((uint)ParameterId.Attack));
        Assert.True(plugin.Activate(48000, 256));
        plugin.Flush([HostEvent.Param(0, (uint)ParameterId.Seed, 43), HostEvent.Param(0, 999, 1)]);
        Assert.Equal(43, plugin.GetValue((uint)ParameterId.Seed));
    }

    [Fact]
    public void RenderModeAcceptsRealtimeAndOffline()
    {
        using var plugin = new ClapPluginUnderTest(ClapModule.Shared);
        var render = (ClapPluginRender*)plugin.Extension("clap.render\0"u8);
        Assert.Equal(0, render->HasHardRealtimeRequirement(plugin.Plugin));
        Assert.Equal(1, render->Set(plugin.Plugin, ClapRenderMode.Offline));
        Assert.Equal(1, render->Set(plugin.Plugin, ClapRenderMode.Realtime));
        Assert.Equal(0, render->Set(plugin.Plugin, (ClapRenderMode)7));
    }
}
