using System.Text.Json;
using Distill.Plugin.Core;
using Distill.Plugin.Vst3;
using Distill.Runtime.Engine;

namespace Distill.Tests.Plugin;

/// <summary>What only VST3 has: the factory's class descriptions, the bundle's moduleinfo.json, buses,
/// arrangements, interface queries and the MIDI mapping.</summary>
public unsafe class Vst3BinaryTests
{
    static string Utf8(byte* s) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)s)!;

    [Fact]
    public void FactoryDescribesOneInstrumentClass()
    {
        var module = Vst3Module.Shared;
        var f = module.FactoryTable;
        PFactoryInfo factory;
        Assert.Equal(Vst3Result.Ok, f->GetFactoryInfo(module.Factory, &factory));
        Assert.Equal(PluginDescriptor.Vendor, Utf8(factory.Vendor));
        Assert.Equal(1, f->CountClasses(module.Factory));
        PClassInfo2 info;
        Assert.Equal(Vst3Result.Ok, f->GetClassInfo2(module.Factory, 0, &info));
        Assert.Equal(PluginDescriptor.Vst3ClassId, Vst3Iid.Read(info.Cid));
        Assert.Equal("Audio Module Class", Utf8(info.Category));
        Assert.Equal(PluginDescriptor.Name, Utf8(info.Name));
        Assert.Equal("Instrument|Synth", Utf8(info.SubCategories));
        Assert.Equal(PluginDescriptor.Version, Utf8(info.Version));
        PClassInfoW wide;
        Assert.Equal(Vst3Result.Ok, f->GetClassInfoUnicode(module.Factory, 0, &wide));
        Assert.Equal(PluginDescriptor.Name, new string(wide.Name));
        Assert.NotEqual(Vst3Result.Ok, f->GetClassInfo2(module.Factory, 1, &info));
        Assert.True(module.CreateInstance(Guid.NewGuid(), Vst3Iid.Component) == null);
        Assert.True(Vst3Module.Query(module.Factory, Vst3Iid.PluginFactory3) != null);
    }

    /// <summary>The bundle's static description (hosts may read it instead of loading the binary) says what the binary says.</summary>
    [Fact]
    public void ModuleInfoMatchesTheFactory()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(PluginBinaries.Vst3Bundle, "Contents", "Resources", "moduleinfo.json")));
        var cls = json.RootElement.GetProperty("Classes")[0];
        Assert.Equal(PluginDescriptor.Vst3ClassId.ToString("N").ToUpperInvariant(), cls.GetProperty("CID").GetString());
        Assert.Equal(PluginDescriptor.Name, cls.GetProperty("Name").GetString());
        Assert.Equal(PluginDescriptor.Version, cls.GetProperty("Version").GetString());
        Assert.Equal(PluginDescriptor.Version, json.RootElement.GetProperty("Version").GetString());
        Assert.Equal(PluginDescriptor.Vst3Categories, string.Join('|', cls.GetProperty("Sub Categories").EnumerateArray().Select(e => e.GetString())));
        var module = Vst3Module.Shared;
        PClassInfo2 info;
        Assert.Equal(Vst3Result.Ok, module.FactoryTable->GetClassInfo2(module.Factory, 0, &info));
        Assert.Equal(Utf8(info.SdkVersion), cls.GetProperty("SDKVersion").GetString());
        Assert.Equal(Utf8(info.Category), cls.GetProperty("Category").GetString());
    }

    [Fact]
    public void BusesArrangementsAndInterfaces()
    {
        using var plugin = new Vst3PluginUnderTest(Vst3Module.Shared);
        var c = plugin.ComponentTable;
        var self = plugin.Component;
        Assert.Equal(1, c->GetBusCount(self, Vst3Constants.MediaAudio, Vst3Constants.DirectionOutput));
        Assert.Equal(0, c->GetBusCount(self, Vst3Constants.MediaAudio, Vst3Constants.DirectionInput));
        Assert.Equal(1, c->GetBusCount(self, Vst3Constants.MediaEvent, Vst3Constants.DirectionInput));
        BusInfo bus;
        Assert.Equal(Vst3Result.Ok, c->GetBusInfo(self, Vst3Constants.MediaAudio, Vst3Constants.DirectionOutput, 0, &bus));
        Assert.Equal(2, bus.ChannelCount);
        Assert.Equal(Vst3Constants.BusMain, bus.BusType);
        var p = plugin.ProcessorTable;
        ulong mono = 1, stereo = Vst3Constants.SpeakerStereo, arrangement;
        Assert.NotEqual(Vst3Result.Ok, p->SetBusArrangements(plugin.Processor, null, 0, &mono, 1));
        Assert.Equal(Vst3Result.Ok, p->SetBusArrangements(plugin.Processor, null, 0, &stereo, 1));
        Assert.Equal(Vst3Result.Ok, p->GetBusArrangement(plugin.Processor, Vst3Constants.DirectionOutput, 0, &arrangement));
        Assert.Equal(stereo, arrangement);
        Assert.Equal(Vst3Result.Ok, p->CanProcessSampleSize(plugin.Processor, Vst3Constants.Sample32));
        Assert.NotEqual(Vst3Result.Ok, p->CanProcessSampleSize(plugin.Processor, Vst3Constants.Sample64));
        Assert.True(Vst3Module.Query(self, Guid.NewGuid()) == null);
        // One object: every interface leads back to the same identity.
        Assert.True(Vst3Module.Query(plugin.Controller, Vst3Iid.FUnknown) == Vst3Module.Query(plugin.Processor, Vst3Iid.FUnknown));
    }

    [Fact]
    public void MidiMappingSendsOnlyTheModWheel()
    {
        using var plugin = new Vst3PluginUnderTest(Vst3Module.Shared);
        uint id = 0;
        Assert.Equal(Vst3Result.Ok, plugin.MidiMappingTable->GetMidiControllerAssignment(plugin.MidiMapping, 0, 5, 1, &id));
        Assert.Equal((uint)ParameterId.ModWheel, id);
        Assert.NotEqual(Vst3Result.Ok, plugin.MidiMappingTable->GetMidiControllerAssignment(plugin.MidiMapping, 0, 0, 7, &id));
    }

    [Fact]
    public void NormalizedValuesMapThroughTheParameterRanges()
    {
        using var plugin = new Vst3PluginUnderTest(Vst3Module.Shared);
        Assert.Equal(-60, plugin.NormalizedToPlain((uint)ParameterId.Gain, 0), 9);
        Assert.Equal(12, plugin.NormalizedToPlain((uint)ParameterId.Gain, 1), 9);
        Assert.Equal(0.5, plugin.PlainToNormalized((uint)ParameterId.Temperature, 1), 9);
        Assert.Equal(64, plugin.NormalizedToPlain((uint)ParameterId.World, 64.4 / 127), 9);
        Assert.Equal(Vst3Result.Ok, plugin.ControllerTable->SetParamNormalized(plugin.Controller, (uint)ParameterId.Depth, 0));
        Assert.Equal(1, plugin.GetValue((uint)ParameterId.Depth), 9);
    }
}
