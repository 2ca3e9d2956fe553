using Distill.Runtime.Engine;

namespace Distill.Plugin;

public enum ProcessMode { Realtime, Offline }

/// <summary>
/// The instrument as every plugin format sees it. Threading contract (the common ground of CLAP and VST3):
/// construction, parameter text, state and activation on the main thread; <see cref="Process"/> on the audio
/// thread, never concurrently with activation or state calls. Nothing here throws into a format layer for a
/// runtime problem: failures are logged and the instrument stays loaded and silent.
/// </summary>
public sealed partial class DistillPlugin : IDisposable
{
    public static IReadOnlyList<ParameterSpec> Parameters => InstrumentParameters.All;

    /// <summary>Plain values as the host last set or automated them (read by the main thread, written by either).</summary>
    readonly double[] values = InstrumentParameters.All.Select(p => p.Default).ToArray();

    public double SampleRate { get; private set; }
    public int MaxFrames { get; private set; }
    public bool IsActive { get; private set; }
    public ProcessMode Mode { get; set; } = ProcessMode.Realtime;

    /// <summary>Samples of output delay the host should compensate.</summary>
    public int LatencySamples => 0;

    public double GetParameter(ParameterId id) => Volatile.Read(ref values[(int)id]);

    /// <summary>Main-thread parameter change (state restore, a VST3 controller edit while not processing).</summary>
    public void SetParameter(ParameterId id, double plain) => Volatile.Write(ref values[(int)id], InstrumentParameters.Get(id).Clamp(plain));

    public string FormatParameter(ParameterId id, double plain) => InstrumentParameters.Format(InstrumentParameters.Get(id), plain);

    public bool TryParseParameter(ParameterId id, string text, out double plain) =>
        InstrumentParameters.TryParse(InstrumentParameters.Get(id), text, out plain);

    /// <returns>false when the configuration cannot be used (the reason is logged).</returns>
    public bool Activate(double sampleRate, int maxFrames)
    {
        SampleRate = sampleRate; MaxFrames = maxFrames; IsActive = true;
        return true;
    }

    public void Deactivate() => IsActive = false;

    /// <summary>Silences every voice and clears buffers (audio thread or main thread while inactive).</summary>
    public void Reset() { }

    /// <summary>Renders one block. <paramref name="events"/> are in ascending offset order. Never throws.</summary>
    public void Process(ReadOnlySpan<PluginEvent> events, Span<float> left, Span<float> right)
    {
        foreach (ref readonly var e in events)
            if (e.Kind == PluginEventKind.ParameterValue && InstrumentParameters.TryGet(e.Parameter, out var spec))
                Volatile.Write(ref values[e.Parameter], spec.Clamp(e.Value));
        left.Clear();
        right.Clear();
    }

    public void Dispose() => IsActive = false;
}
