using System.Globalization;
using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;

namespace Distill.Plugin.Core;

public enum ProcessMode { Realtime, Offline }

/// <summary>
/// The instrument as every plugin format sees it. Threading contract (the common ground of CLAP and VST3):
/// construction, parameter text, state and activation on the main thread; <see cref="Process"/> on the audio
/// thread, never concurrently with activation or state calls. Nothing here throws into a format layer for a
/// runtime problem: failures are logged and the instrument stays loaded and silent.
/// </summary>
public sealed partial class DistillPlugin : IDisposable
{
    readonly PluginParameters parameters = new();
    readonly Instrument instrument;
    readonly HostPace pace = new();
    ProcessMode declaredMode;
    Exception? fault;     // set on the audio thread: silent until the next reset or activation
    Exception? unlogged;  // the same, until the next main-thread call writes it to the log
    long underrunsAtActivation, framesSinceActivation, notesSinceActivation;

    /// <param name="worldsFolder">Where installed worlds are found
    /// (default <see cref="UserFolders.WorldSearchPath"/>).</param>
    public DistillPlugin(string? worldsFolder = null)
    {
        instrument = new Instrument(
            WorldCatalog.Scan(worldsFolder is null ? UserFolders.WorldSearchPath : [worldsFolder]));
        instrument.WorldLoadFailed += (world, e) =>
            PluginLog.Write($"world '{world.Name}' ({world.Path}) not loaded: {e.Message}");
        instrument.GenerationFailed += e => PluginLog.Error("generation", e);
    }

    /// <summary>Host rates the plugin plays at: a format layer refuses others before activating.</summary>
    public static bool SupportsRate(double sampleRate) => Instrument.SupportsRate(sampleRate);

    public double SampleRate { get; private set; }
    public int MaxFrames { get; private set; }
    public bool IsActive { get; private set; }

    /// <summary>What the host says of its processing (VST3 process mode, CLAP render mode). Offline waits for
    /// generation, so a bounce never underruns; a host that says nothing but calls faster than real time is
    /// treated the same (<see cref="HostPace"/>).</summary>
    public ProcessMode Mode
    {
        get => declaredMode;
        set
        {
            declaredMode = value;
            UpdateWaiting();
        }
    }

    void UpdateWaiting() => instrument.Offline = declaredMode == ProcessMode.Offline || pace.Fast;

    /// <summary>Whether generation is being waited for now: declared offline, or a host found running faster than
    /// real time.</summary>
    public bool WaitsForGeneration => instrument.Offline;

    /// <summary>Blocks in which a voice ran out of generated audio since activation (real-time
    /// playback only).</summary>
    public long Underruns => instrument.Underruns - underrunsAtActivation;

    /// <summary>Samples of output delay the host should compensate (the resampler's, at rates other than
    /// 48 kHz).</summary>
    public int LatencySamples => instrument.LatencySamples;

    /// <summary>The installed worlds, in World-parameter order.</summary>
    public IReadOnlyList<WorldEntry> Worlds => instrument.Catalog;

    /// <summary>What the World parameter shows: the world playing, loading, or why none plays.</summary>
    public string WorldStatus
    {
        get
        {
            string status = missingWorld is { } name && (int)GetParameter(ParameterId.World) >= Worlds.Count
                ? $"{name}: not installed" : instrument.WorldStatus;
            return fault is { } e
                ? $"{status} (silenced by an error: {e.GetType().Name}; reset or reactivate to resume)"
                : status;
        }
    }

    /// <summary>A world named by restored state that is not installed: kept, and saved again, until another world
    /// is chosen.</summary>
    string? missingWorld;

    void ForgetMissingWorld(ParameterId id, double value)
    {
        if (id == ParameterId.World && value < Worlds.Count) missingWorld = null;
    }

    public double GetParameter(ParameterId id) => parameters[id];

    /// <summary>Main-thread parameter change (state restore, a controller edit). While active, the audio thread may be
    /// in <see cref="Process"/>: the change is queued and applied at the start of its next block, so the instrument
    /// only ever hears from one thread.</summary>
    public void SetParameter(ParameterId id, double plain)
    {
        if (!parameters.TrySet((uint)id, plain, out double v)) return;
        ForgetMissingWorld(id, v);
        if (!IsActive) instrument.SetParameter(id, v);
        else if (!fromMainThread.TryWrite(new ParameterChange(id, v)))
            PluginLog.Write($"parameter change dropped ({id} = {v}): more than {fromMainThread.Capacity} queued " +
                            "while the audio thread is not processing");
    }

    readonly record struct ParameterChange(ParameterId Id, double Value);

    /// <summary>On the audio thread while active; on the main thread at (de)activation, when none
    /// is processing.</summary>
    void ApplyMainThreadChanges()
    {
        while (fromMainThread.TryPeek(out var change))
        {
            fromMainThread.Skip(1);
            instrument.SetParameter(change.Id, change.Value);
        }
    }
    readonly SpscRing<ParameterChange> fromMainThread = new(1024);

    public string FormatParameter(ParameterId id, double plain)
    {
        if (id != ParameterId.World) return InstrumentParameters.Format(InstrumentParameters.Get(id), plain);
        int index = (int)InstrumentParameters.Get(id).Clamp(plain);
        if (index == (int)GetParameter(ParameterId.World)) return WorldStatus;
        return index < Worlds.Count ? Worlds[index].Name : $"{index + 1}: not installed";
    }

    public bool TryParseParameter(ParameterId id, string text, out double plain)
    {
        if (id == ParameterId.World && TryParseWorld(text.Trim(), out int index))
        {
            plain = index;
            return true;
        }
        return InstrumentParameters.TryParse(InstrumentParameters.Get(id), text, out plain);
    }

    /// <summary>A world's name, the status text of the current one, or "N: …" as
    /// <see cref="FormatParameter"/> writes.</summary>
    bool TryParseWorld(string text, out int index)
    {
        for (index = 0; index < Worlds.Count; index++)
            if (string.Equals(Worlds[index].Name, text, StringComparison.OrdinalIgnoreCase)) return true;
        index = (int)GetParameter(ParameterId.World);
        if (text == WorldStatus) return true;
        int colon = text.IndexOf(':');
        if (int.TryParse(colon > 0 ? text[..colon] : text, NumberStyles.None, CultureInfo.InvariantCulture,
                         out int number)
            && number >= 1)
        {
            index = (int)InstrumentParameters.Get(ParameterId.World).Clamp(number - 1);
            return true;
        }
        return false;
    }

    /// <returns>false when the configuration cannot be used (the reason is logged).</returns>
    public bool Activate(double sampleRate, int maxFrames)
    {
        LogFault();
        ApplyMainThreadChanges();
        if (IsActive) return false;
        try
        {
            instrument.Activate(sampleRate, maxFrames);
            pace.Reset(sampleRate);
            Mode = declaredMode;
            fault = null;
            underrunsAtActivation = instrument.Underruns;
            framesSinceActivation = notesSinceActivation = 0;
            SampleRate = sampleRate; MaxFrames = maxFrames; IsActive = true;
            return true;
        }
        catch (Exception e)
        {
            PluginLog.Error($"activate({sampleRate} Hz, {maxFrames} frames)", e);
            IsActive = false;
            return false;
        }
    }

    public void Deactivate()
    {
        LogFault();
        if (IsActive)
        {
            instrument.Reset();
            PluginLog.Write($"deactivated at {SampleRate} Hz: {Underruns} underrun blocks in " +
                            $"{framesSinceActivation / SampleRate:0.0} s " +
                            $"of audio and {notesSinceActivation} notes since activation");
        }
        IsActive = false;
        ApplyMainThreadChanges();
    }

    /// <summary>Silences every voice and clears buffers; after a fault, the sound comes back from here on.</summary>
    public void Reset()
    {
        fault = null;
        instrument.Reset();
    }

    /// <summary>Called once per host block before its pieces are processed (pieces of one block are not
    /// host calls).</summary>
    public void BlockStarted(int frames)
    {
        pace.BlockStarted(frames, MaxFrames);
        framesSinceActivation += frames;
        UpdateWaiting();
    }

    /// <summary>Called once per host block after it is rendered.</summary>
    public void BlockEnded() => pace.BlockEnded();

    /// <summary>Renders one block, split at event offsets so every event is sample-accurate.
    /// <paramref name="events"/> are in ascending offset order. Never throws.</summary>
    public void Process(ReadOnlySpan<InstrumentEvent> events, Span<float> left, Span<float> right)
    {
        if (!IsActive || fault is not null)
        {
            left.Clear(); right.Clear();
            return;
        }
        try
        {
            FaultProbe?.Invoke();
            ApplyMainThreadChanges();
            foreach (ref readonly var e in events) Observe(e);
            instrument.Render(events, left, right);
        }
        catch (Exception e)
        {
            // The audio thread cannot write files: silent until the host resets or reactivates; the main thread
            // logs it.
            fault = unlogged = e;
            left.Clear(); right.Clear();
        }
    }

    /// <summary>Tests make a block fail through this, to check that the plugin recovers.</summary>
    internal Action? FaultProbe;

    /// <summary>What the host side keeps of a block's events (the instrument applies them): parameter values for
    /// the main thread to read back, and the note count for the log.</summary>
    void Observe(in InstrumentEvent e)
    {
        if (e.Kind == InstrumentEventKind.NoteOn) notesSinceActivation++;
        else if (e.Kind == InstrumentEventKind.ParameterValue && parameters.TrySet(e.Parameter, e.Value, out double v))
            ForgetMissingWorld((ParameterId)e.Parameter, v);
    }

    void LogFault()
    {
        if (Interlocked.Exchange(ref unlogged, null) is { } e)
            PluginLog.Error("process (the instrument is silent until the host resets or reactivates it)", e);
    }

    public void Dispose()
    {
        LogFault();
        IsActive = false;
        instrument.Dispose();
    }
}
