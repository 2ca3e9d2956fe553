using Distill.Runtime.Dsp;
using Distill.Runtime.Sampling;

namespace Distill.Runtime.Engine;

/// <summary>
/// The playable instrument, format-agnostic: notes and parameter changes in, stereo audio at the host's rate
/// out. Blocks come with their events (<see cref="Render(ReadOnlySpan{InstrumentEvent}, Span{float}, Span{float})"/>),
/// each applied at its sample. Everything the audio thread runs here is allocation-free, lock-free and free of
/// system calls: voices play their pre-rendered opening at once, then the audio the <see cref="GenerationWorker"/>
/// produced ahead of time, mixed at the model rate and resampled to the host rate. In <see cref="Offline"/> mode
/// rendering waits for the worker instead (never underruns), which makes renders exactly repeatable. Voices are in
/// Instrument.Voices.cs, world switching in Instrument.WorldSwitch.cs.
/// </summary>
public sealed partial class Instrument : IDisposable
{
    /// <summary>Notes sounding at once; a further note steals the oldest (released ones first).</summary>
    public const int Polyphony = 4;
    /// <summary>Slots: sounding voices plus voices fading out after being stolen.</summary>
    public const int Slots = 2 * Polyphony;
    const int ModelRate = FeatureConfig.ModelRate;
    /// <summary>Model-rate samples per chunk: below the worker's look-ahead, so offline waits always end.</summary>
    const int ChunkSamples = 1024;
    /// <summary>Host samples over which a gain change ramps (from its exact sample), so automation
    /// never clicks.</summary>
    public const int GainRampSamples = 32;

    readonly SpscRing<EngineEvent> events = new(1 << 12);
    readonly VoiceChannel[] channels = new VoiceChannel[Slots];
    readonly PlayingVoice[] voices = new PlayingVoice[Slots];
    readonly GenerationWorker worker;
    readonly double[] values = InstrumentParameters.Defaults();
    long engineTime, playhead;

    // Host side, set up by Activate.
    double hostRate;
    PolyphaseResampler? resampler;
    readonly SafetyLimiter limiter = new();
    float[] mix = [], source = [], ring = [];
    float gain = 1, gainTarget = 1, gainStep;
    int hostChunk;

    public Instrument(IReadOnlyList<WorldEntry> catalog)
    {
        this.catalog = catalog.ToArray();
        for (int i = 0; i < Slots; i++) { channels[i] = new VoiceChannel(); voices[i] = new PlayingVoice(i); }
        // Before the worker starts: its first idle call may load (or fail to load) a world at once, and that status
        // must stand.
        worldStatus = this.catalog.Length == 0 ? "no worlds installed" : $"loading {this.catalog[0].Name}";
        worker = new GenerationWorker(events, channels, worlds, () => Volatile.Read(ref playhead), ServiceWorldRequest);
        worker.Faulted += e => GenerationFailed?.Invoke(e);
    }

    /// <summary>Time the generation worker has spent rendering voices so far.</summary>
    public TimeSpan WorkerBusy => System.Diagnostics.Stopwatch.GetElapsedTime(0, worker.BusyTicks);

    /// <summary>Blocks in which a voice ran out of generated audio (real-time mode only).</summary>
    public long Underruns { get; private set; }

    /// <summary>Wait for generation instead of underrunning (offline bounces, tests, <c>distill render</c>).</summary>
    public bool Offline
    {
        get => worker.Eager;
        set
        {
            worker.Eager = value;
            UpdateLookAhead();
        }
    }

    /// <summary>Largest block rendered since activation, in model-rate samples (audio thread).</summary>
    int largestBlock;

    /// <summary>Live, the worker must stay a whole host block plus some slack ahead of the playhead, or big blocks
    /// would underrun; offline the audio thread waits for it, so the minimum holds and renders do not depend on the
    /// host's block size. Live hosts with blocks of up to 1,024 samples hear parameters exactly as a render
    /// does.</summary>
    void UpdateLookAhead() => worker.LookAhead = Offline
        ? GenerationWorker.MinimumLookAhead
        : largestBlock + GenerationWorker.LiveSlack;

    /// <summary>Output delay in host samples: the resampler's look-ahead (0 at the model rate).</summary>
    public int LatencySamples => resampler is null ? 0 : (int)Math.Round(resampler.LatencyInput * hostRate / ModelRate);

    /// <summary>Host rates the instrument plays at (8–768 kHz).</summary>
    public static bool SupportsRate(double sampleRate) => sampleRate >= 8000 && sampleRate <= 768000;

    /// <summary>Prepares for a host rate and block size (main thread; allocates).</summary>
    public void Activate(double sampleRate, int maxFrames)
    {
        if (!SupportsRate(sampleRate))
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "unsupported sample rate");
        hostRate = sampleRate;
        int rate = (int)Math.Round(sampleRate);
        resampler = rate == ModelRate ? null : new PolyphaseResampler(ModelRate, rate);
        hostChunk = Math.Max(1, (int)(ChunkSamples * sampleRate / ModelRate) - 2);
        // Room for the most a chunk can ask of the model rate: the resampler's first chunk also fills its look-ahead.
        int capacity = resampler?.MaxInputNeeded(hostChunk) ?? hostChunk;
        mix = new float[capacity];
        source = new float[capacity];
        ring = new float[capacity];
        limiter.Prepare(sampleRate);
        gain = gainTarget = DecibelsToGain(values[(int)ParameterId.Gain]);
        gainStep = 0;
        largestBlock = 0;
        UpdateLookAhead();
        Reset();
    }

    /// <summary>Silences every voice at once and clears the resampler and limiter.</summary>
    public void Reset()
    {
        foreach (var v in voices)
            if (v.Active) End(v);
        resampler?.Reset();
        limiter.Reset();
    }

    /// <summary>Sets a parameter (clamped to its range) from the next sample on.</summary>
    public void SetParameter(ParameterId id, double plain)
    {
        if ((uint)id >= (uint)values.Length) return;
        double v = InstrumentParameters.Get(id).Clamp(plain);
        if (v == values[(int)id]) return;
        values[(int)id] = v;
        switch (id)
        {
            case ParameterId.World:
                Volatile.Write(ref requestedWorld, (int)v);
                break;
            case ParameterId.Gain:
                gainTarget = DecibelsToGain(v);
                gainStep = (gainTarget - gain) / GainRampSamples;
                break;
            case ParameterId.Attack or ParameterId.Release:
                break; // read when a note starts or is released
            default:
                Post(new EngineEvent { Kind = EngineEventKind.Parameter, Parameter = id, Value = v });
                break;
        }
    }

    /// <summary>Renders a block split at its events' offsets, each event applied at its sample: the one way events
    /// reach the instrument, from a plugin host and from a score alike. An offset before the previous event's counts
    /// as that one's, an offset past the block as its end. Audio thread.</summary>
    public void Render(ReadOnlySpan<InstrumentEvent> events, Span<float> left, Span<float> right)
    {
        int done = 0;
        foreach (ref readonly var e in events)
        {
            int at = Math.Clamp(e.Offset, done, left.Length);
            if (at > done) Render(left[done..at], right[done..at]);
            done = at;
            Apply(e);
        }
        if (done < left.Length) Render(left[done..], right[done..]);
    }

    void Apply(in InstrumentEvent e)
    {
        switch (e.Kind)
        {
            case InstrumentEventKind.NoteOn: NoteOn(e.Key, e.Velocity, e.NoteId); break;
            case InstrumentEventKind.NoteOff: NoteOff(e.Key, e.NoteId); break;
            case InstrumentEventKind.NoteChoke: Choke(e.Key, e.NoteId); break;
            case InstrumentEventKind.AllNotesOff: AllNotesOff(); break;
            case InstrumentEventKind.ParameterValue: SetParameter((ParameterId)e.Parameter, e.Value); break;
        }
    }

    /// <summary>Renders the next <paramref name="left"/>.Length host samples (audio thread).</summary>
    public void Render(Span<float> left, Span<float> right)
    {
        if (resampler is null && hostRate != ModelRate)
        {
            left.Clear(); right.Clear(); // not activated
            return;
        }
        int block = (int)Math.Ceiling(left.Length * ModelRate / hostRate);
        if (block > largestBlock)
        {
            largestBlock = block;
            UpdateLookAhead();
        }
        for (int done = 0; done < left.Length;)
        {
            int n = Math.Min(hostChunk, left.Length - done);
            RenderChunk(left.Slice(done, n));
            done += n;
        }
        left.CopyTo(right);
    }

    void RenderChunk(Span<float> host)
    {
        AdoptPendingWorld();
        if (Offline) WaitForWorld();
        int need = resampler?.InputNeeded(host.Length) ?? host.Length;
        Volatile.Write(ref playhead, engineTime);
        var chunk = mix.AsSpan(0, need);
        chunk.Clear();
        bool starved = false;
        foreach (var v in voices)
            if (v.Active) starved |= MixVoice(v, chunk);
        if (starved) Underruns++;
        engineTime += need;
        Volatile.Write(ref playhead, engineTime);

        if (resampler is null) chunk.CopyTo(host);
        else resampler.Process(chunk, host);
        for (int i = 0; i < host.Length; i++)
        {
            if (gainStep != 0)
            {
                gain += gainStep;
                if ((gainStep > 0 && gain >= gainTarget) || (gainStep < 0 && gain <= gainTarget))
                {
                    gain = gainTarget;
                    gainStep = 0;
                }
            }
            float x = host[i] * gain;
            host[i] = float.IsFinite(x) ? x : 0f;
        }
        limiter.Process(host);
    }

    void Post(EngineEvent e)
    {
        e.Time = engineTime;
        events.TryWrite(e); // 4096 events between two worker passes cannot happen in practice; dropping beats blocking
    }

    /// <summary>Raised on the generation thread when generating failed (the voice concerned falls silent), for
    /// logging.</summary>
    public event Action<Exception>? GenerationFailed;

    /// <summary>Offline waits are bounded, so a broken world cannot hang a host's bounce forever.</summary>
    const int OfflineWaitMs = 60_000;

    static float DecibelsToGain(double db) =>
        db <= InstrumentParameters.Get(ParameterId.Gain).Min ? 0f : (float)Math.Pow(10, db / 20);

    /// <summary>Returns at once, even while a world loads (hosts release instances on their UI thread): a load still
    /// running finds the table closed and disposes its world itself.</summary>
    public void Dispose()
    {
        worker.Dispose();
        worlds.Dispose();
    }
}
