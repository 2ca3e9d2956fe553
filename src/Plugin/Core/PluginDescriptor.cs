namespace Distill.Plugin.Core;

/// <summary>Who the plugin is, once for every format. Ids never change: hosts store them in projects.</summary>
public static class PluginDescriptor
{
    public const string Name = "Distill";
    public const string Vendor = "Distill";
    public const string Version = "0.4.0";
    public const string Url = "https://distill.audio";
    public const string Description = "Plays a sound world learned by the distill trainer, live from MIDI.";
    public const string ClapId = "audio.distill.instrument";
    public static readonly string[] ClapFeatures = ["instrument", "synthesizer", "stereo"];
    public const string Vst3Categories = "Instrument|Synth";
    /// <summary>VST3 class id of the processor (which is also its own edit controller).</summary>
    public static readonly Guid Vst3ClassId = new("5d1f4c3a-8e2b-4f61-9a7d-3c0b2e6f1d48");
    public const int OutputChannels = 2;
}
