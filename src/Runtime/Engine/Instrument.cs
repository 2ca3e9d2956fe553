using Distill.Runtime.Dsp;
using Distill.Runtime.Sampling;

namespace Distill.Runtime.Engine;

/// <summary>
/// The playable instrument, format-agnostic: notes and parameter changes in, stereo audio at the host's rate
/// out. The caller splits its blocks at event times and calls <see cref="NoteOn"/>, <see cref="SetParameter"/>,
/// … between <see cref="Render"/> calls, so events are sample-accurate. Everything the audio thread runs here
/// is allocation-free, lock-free and free of system calls: voices play their pre-rendered opening at once,
/// then the audio the <see cref="GenerationWorker"/> produced ahead of time, mixed at the model rate and
/// resampled to the host rate. In <see cref="Offline"/> mode <see cref="Render"/> waits for the worker
/// instead (never underruns), which makes renders exactly repeatable.
/// </summary>
public sealed class Instrument : IDisposable
{
    /// <summary>Notes sounding at once; a further note steals the oldest (released ones first).</summary>
    public const int Polyphony = 4;
    /// <summary>Slots: sounding voices plus voices fading out after being stolen.</summary>
    public const int Slots = 2 * Polyphony;
    const int ModelRate = 48000;
    /// <summary>Model-rate samples per chunk: below the worker's look-ahead, so offline waits always end.</summary>
    const int ChunkSamples = 4096;
    const int StealFade = 240, WorldFade = 2400, StarveFade = 64;
    /// <summary>Host samples over which a gain change ramps (from its exact sample), so automation never clicks.</summary>
    public const int GainRampSamples = 32;
    const float ReleaseFloor = 1e-4f; // −80 dB: a released note is over

    enum Stage : byte { Attack, Hold, Release, Fade }

    sealed class Voice(int slot)
    {
        public readonly int Slot = slot;
        public bool Active;
        public int Generation, Key, NoteId, WorldEntry;
        public long Order, Played;
        public float Amplitude, Level, Step;
        public Stage Stage;
        public float[] Opening = [];
        public bool Synced, Starved;
    }

    readonly WorldEntry[] catalog;
    readonly WorldTable worlds = new();
    readonly SpscRing<EngineEvent> events = new(1 << 12);
    readonly VoiceChannel[] channels = new VoiceChannel[Slots];
    readonly Voice[] voices = new Voice[Slots];
    readonly GenerationWorker worker;
    readonly double[] values = InstrumentParameters.Defaults();
    long engineTime, playhead, noteOrder;
    int generation;

    // Host side, set up by Activate.
    double hostRate;
    PolyphaseResampler? resampler;
    readonly SafetyLimiter limiter = new();
    float[] mix = [], source = [], ring = [];
    float gain = 1, gainTarget = 1, gainStep;
    int hostChunk;

    // Worlds: requested by the World parameter, loaded by a background task, adopted by the audio thread.
    // A request that cannot be played leaves the instrument silent (NoWorld), never on the previous world.
    const int NothingPending = -1, NoWorld = -2;
    int currentWorld = -1, pendingWorld = NothingPending, requestedWorld, loadedRequest = -1;
    Task? loading;
    volatile string worldStatus = "";

    public Instrument(IReadOnlyList<WorldEntry> catalog)
    {
        this.catalog = catalog.ToArray();
        for (int i = 0; i < Slots; i++) { channels[i] = new VoiceChannel(); voices[i] = new Voice(i); }
        // Before the worker starts: its first idle call may load (or fail to load) a world at once, and that status must stand.
        worldStatus = this.catalog.Length == 0 ? "no worlds installed" : $"loading {this.catalog[0].Name}";
        worker = new GenerationWorker(events, channels, worlds, () => Volatile.Read(ref playhead), ServiceWorldRequest);
        worker.Faulted += e => GenerationFailed?.Invoke(e);
    }

    /// <summary>A human-readable state of the World parameter: the world playing, loading, or why none plays.</summary>
    public string WorldStatus => worldStatus;
    public IReadOnlyList<WorldEntry> Catalog => catalog;
    /// <summary>Whether a world is playing (the audio thread has adopted one).</summary>
    public bool HasWorld => currentWorld >= 0;
    /// <summary>Notes sounding now (held or releasing; voices fading out after being stolen do not count). Audio thread.</summary>
    public int SoundingNotes
    {
        get
        {
            int n = 0;
            foreach (var v in voices) if (v.Active && v.Stage != Stage.Fade) n++;
            return n;
        }
    }

    /// <summary>Time the generation worker has spent rendering voices so far.</summary>
    public TimeSpan WorkerBusy => System.Diagnostics.Stopwatch.GetElapsedTime(0, worker.BusyTicks);

    /// <summary>Blocks in which a voice ran out of generated audio (real-time mode only).</summary>
    public long Underruns { get; private set; }

    /// <summary>Wait for generation instead of underrunning (offline bounces, tests, <c>distill render</c>).</summary>
    public bool Offline
    {
        get => worker.Eager;
        set => worker.Eager = value;
    }

    /// <summary>Output delay in host samples: the resampler's look-ahead (0 at the model rate).</summary>
    public int LatencySamples => resampler is null ? 0 : (int)Math.Round(resampler.LatencyInput * hostRate / ModelRate);

    /// <summary>Host rates the instrument plays at (8–768 kHz).</summary>
    public static bool SupportsRate(double sampleRate) => sampleRate >= 8000 && sampleRate <= 768000;

    /// <summary>Prepares for a host rate and block size (main thread; allocates).</summary>
    public void Activate(double sampleRate, int maxFrames)
    {
        if (!SupportsRate(sampleRate)) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "unsupported sample rate");
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

    public void NoteOn(int key, float velocity, int noteId = -1)
    {
        if (Offline) WaitForWorld();
        AdoptPendingWorld();
        var world = worlds[currentWorld];
        if (world is null || key < 0 || key > 127 || !(velocity > 0)) return;
        var voice = FreeVoice();
        int anchor = world.AnchorForKey(key);
        voice.Active = true;
        voice.Generation = ++generation;
        voice.Key = key;
        voice.NoteId = noteId;
        voice.WorldEntry = currentWorld;
        voice.Order = ++noteOrder;
        voice.Played = 0;
        voice.Amplitude = Math.Clamp(velocity, 0f, 1f) * Math.Clamp(velocity, 0f, 1f);
        voice.Level = 0;
        voice.Stage = Stage.Attack;
        voice.Step = 1f / Math.Max(1f, (float)(values[(int)ParameterId.Attack] * ModelRate));
        voice.Opening = world.Opening(anchor);
        voice.Synced = voice.Starved = false;
        Post(new EngineEvent
        {
            Kind = EngineEventKind.Start, Slot = voice.Slot, Generation = voice.Generation,
            World = currentWorld, Anchor = anchor, Seed = VoiceSeed((int)values[(int)ParameterId.Seed], key),
        });
    }

    /// <summary>Releases held notes on <paramref name="key"/> (and <paramref name="noteId"/> when given).</summary>
    public void NoteOff(int key, int noteId = -1)
    {
        foreach (var v in voices)
            if (v.Active && v.Stage is Stage.Attack or Stage.Hold && v.Key == key && (noteId < 0 || v.NoteId == noteId))
                Release(v);
    }

    /// <summary>Stops notes on <paramref name="key"/> with a short fade, skipping their release.</summary>
    public void Choke(int key, int noteId = -1)
    {
        foreach (var v in voices)
            if (v.Active && v.Key == key && (noteId < 0 || v.NoteId == noteId)) Fade(v, StealFade);
    }

    public void AllNotesOff()
    {
        foreach (var v in voices)
            if (v.Active && v.Stage is Stage.Attack or Stage.Hold) Release(v);
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

    /// <summary>Renders the next <paramref name="left"/>.Length host samples (audio thread).</summary>
    public void Render(Span<float> left, Span<float> right)
    {
        if (resampler is null && hostRate != ModelRate)
        {
            left.Clear(); right.Clear(); // not activated
            return;
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
                if ((gainStep > 0 && gain >= gainTarget) || (gainStep < 0 && gain <= gainTarget)) { gain = gainTarget; gainStep = 0; }
            }
            float x = host[i] * gain;
            host[i] = float.IsFinite(x) ? x : 0f;
        }
        limiter.Process(host);
    }

    /// <summary>Adds one voice to the chunk; returns whether it ran out of generated audio.</summary>
    bool MixVoice(Voice v, Span<float> chunk)
    {
        int count = chunk.Length;
        const int handover = World.OpeningSamples - World.HandoverSamples;
        var src = source.AsSpan(0, count);
        long n0 = v.Played;

        // Pre-rendered opening, then the worker's stream, crossfading over the handover.
        int fromOpening = (int)Math.Clamp(World.OpeningSamples - n0, 0, count);
        v.Opening.AsSpan((int)Math.Min(n0, World.OpeningSamples), fromOpening).CopyTo(src);
        int ringStart = (int)Math.Clamp(handover - n0, 0, count);
        int wanted = count - ringStart;
        bool starved = false;
        if (wanted > 0)
        {
            var got = ReadStream(v, ring.AsSpan(0, wanted));
            starved = got < wanted;
            for (int i = 0; i < wanted; i++)
            {
                long n = n0 + ringStart + i;
                float x = ring[i];
                if (n < World.OpeningSamples)
                {
                    float w = (float)(n - handover + 1) / World.HandoverSamples;
                    src[ringStart + i] += w * (x - src[ringStart + i]);
                }
                else src[ringStart + i] = x;
            }
        }

        for (int i = 0; i < count; i++)
        {
            switch (v.Stage)
            {
                case Stage.Attack:
                    v.Level += v.Step;
                    if (v.Level >= 1) { v.Level = 1; v.Stage = Stage.Hold; }
                    break;
                case Stage.Release:
                    v.Level *= v.Step;
                    break;
                case Stage.Fade:
                    v.Level -= v.Step;
                    break;
            }
            if (v.Level <= (v.Stage == Stage.Release ? ReleaseFloor : 0f))
            {
                End(v);
                break;
            }
            chunk[i] += src[i] * v.Level * v.Amplitude;
        }
        v.Played = n0 + count;
        return starved;
    }

    /// <summary>Reads the voice's generated audio; on running dry fades what it has out (and fades back in when
    /// audio returns) rather than clicking.</summary>
    int ReadStream(Voice v, Span<float> destination)
    {
        var channel = channels[v.Slot];
        long deadline = Offline ? Environment.TickCount64 + OfflineWaitMs : 0;
        if (!v.Synced)
        {
            long start;
            while (!channel.TryGetStart(v.Generation, out start) && Environment.TickCount64 < deadline) Thread.Sleep(0);
            if (!channel.TryGetStart(v.Generation, out start)) { destination.Clear(); v.Starved = true; return 0; }
            channel.Audio.Skip((int)(start - channel.Audio.ReadPosition)); // the previous note's leftovers
            v.Synced = true;
        }
        while (channel.Audio.Count < destination.Length && Environment.TickCount64 < deadline) Thread.Sleep(0);
        int got = channel.Audio.Read(destination);
        if (v.Starved && got > 0)
            for (int i = 0, n = Math.Min(got, StarveFade); i < n; i++) destination[i] *= (float)i / StarveFade;
        v.Starved = got < destination.Length;
        if (v.Starved)
        {
            for (int i = 0, n = Math.Min(got, StarveFade); i < n; i++) destination[got - 1 - i] *= (float)i / StarveFade;
            destination[got..].Clear();
        }
        return got;
    }

    Voice FreeVoice()
    {
        int sounding = 0;
        Voice? oldest = null, oldestReleased = null, free = null, oldestFading = null;
        foreach (var v in voices)
        {
            if (!v.Active) { free ??= v; continue; }
            if (v.Stage == Stage.Fade) { if (oldestFading is null || v.Order < oldestFading.Order) oldestFading = v; continue; }
            sounding++;
            if (oldest is null || v.Order < oldest.Order) oldest = v;
            if (v.Stage == Stage.Release && (oldestReleased is null || v.Order < oldestReleased.Order)) oldestReleased = v;
        }
        if (sounding >= Polyphony) Fade((oldestReleased ?? oldest)!, StealFade);
        if (free is not null) return free;
        End(oldestFading!); // more notes in 5 ms than slots: cut the oldest fade short
        return oldestFading!;
    }

    void Release(Voice v)
    {
        v.Stage = Stage.Release;
        // Exponential decay reaching −80 dB after the release time.
        v.Step = MathF.Exp(MathF.Log(ReleaseFloor) / Math.Max(1f, (float)(values[(int)ParameterId.Release] * ModelRate)));
    }

    void Fade(Voice v, int samples)
    {
        if (v.Stage == Stage.Fade) return;
        v.Stage = Stage.Fade;
        v.Step = Math.Max(v.Level, 1e-6f) / samples;
    }

    void End(Voice v)
    {
        v.Active = false;
        Post(new EngineEvent { Kind = EngineEventKind.End, Slot = v.Slot, Generation = v.Generation });
    }

    void Post(EngineEvent e)
    {
        e.Time = engineTime;
        events.TryWrite(e); // 4096 events between two worker passes cannot happen in practice; dropping beats blocking
    }

    /// <summary>Audio thread: switches to a world the loader finished, crossfading held notes into it.</summary>
    void AdoptPendingWorld()
    {
        int entry = Volatile.Read(ref pendingWorld);
        if (entry == NothingPending || Interlocked.CompareExchange(ref pendingWorld, NothingPending, entry) != entry) return;
        int previous = currentWorld;
        currentWorld = entry == NoWorld ? -1 : entry;
        Post(new EngineEvent { Kind = EngineEventKind.WorldChanged, World = currentWorld });
        if (previous < 0) return;
        foreach (var v in voices)
        {
            if (!v.Active || v.WorldEntry != previous || v.Stage == Stage.Fade) continue;
            bool held = v.Stage is Stage.Attack or Stage.Hold;
            int key = v.Key, noteId = v.NoteId;
            float velocity = MathF.Sqrt(v.Amplitude);
            Fade(v, WorldFade);
            if (held) NoteOn(key, velocity, noteId);
        }
    }

    /// <summary>Worker idle time: starts loading the requested world when it differs from the last one loaded.</summary>
    void ServiceWorldRequest()
    {
        int wanted = Volatile.Read(ref requestedWorld);
        if (wanted == Volatile.Read(ref loadedRequest) || loading is { IsCompleted: false }) return;
        if (catalog.Length == 0 || wanted >= catalog.Length)
        {
            worldStatus = catalog.Length == 0 ? "no worlds installed" : $"world {wanted + 1} is not installed ({catalog.Length} installed)";
            Publish(NoWorld);
            Volatile.Write(ref loadedRequest, wanted);
            return;
        }
        var entry = catalog[wanted];
        worldStatus = $"loading {entry.Name}";
        // A thread of its own: on a busy thread pool (a host's, or a test run's) a queued load could wait for seconds.
        loading = Task.Factory.StartNew(() =>
        {
            try
            {
                var world = World.Load(entry.Path, Slots);
                int index = worlds.Add(world);
                if (index < 0) { world.Dispose(); return; } // table full during a switch storm: retried
                Publish(index);
                worldStatus = entry.Name;
                Volatile.Write(ref loadedRequest, wanted);
            }
            catch (Exception e)
            {
                worldStatus = e is Bundle.InvalidWorldException invalid
                    ? $"{entry.Name}: invalid world ({invalid.Problems[0]})"
                    : $"{entry.Name}: cannot load ({FirstLine(e.Message)})";
                Publish(NoWorld);
                Volatile.Write(ref loadedRequest, wanted);
                WorldLoadFailed?.Invoke(entry, e);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Hands the audio thread its next world; one it never took up (a newer request came first) is freed.</summary>
    void Publish(int entry)
    {
        int unused = Interlocked.Exchange(ref pendingWorld, entry);
        if (unused < 0) return;
        worlds.Retire(unused);
        worlds.ReleaseIfRetired(unused);
    }

    /// <summary>Raised on the generation thread when generating failed (the voice concerned falls silent), for logging.</summary>
    public event Action<Exception>? GenerationFailed;

    /// <summary>Raised on a background thread when a world cannot be loaded (for logging).</summary>
    public event Action<WorldEntry, Exception>? WorldLoadFailed;

    static string FirstLine(string s) => s.Split('\n')[0];

    /// <summary>Offline waits are bounded, so a broken world cannot hang a host's bounce forever.</summary>
    const int OfflineWaitMs = 60_000;

    /// <summary>Offline: a requested world is loaded before rendering, so a bounce never starts silent.</summary>
    void WaitForWorld()
    {
        long deadline = Environment.TickCount64 + OfflineWaitMs;
        while ((Volatile.Read(ref loadedRequest) != Volatile.Read(ref requestedWorld) || loading is { IsCompleted: false })
               && Environment.TickCount64 < deadline)
            Thread.Sleep(0);
        AdoptPendingWorld();
    }

    static float DecibelsToGain(double db) =>
        db <= InstrumentParameters.Get(ParameterId.Gain).Min ? 0f : (float)Math.Pow(10, db / 20);

    /// <summary>Same seed and key, same texture: SplitMix64 of both.</summary>
    static ulong VoiceSeed(int seed, int key) => SeedMix.Mix(((ulong)(uint)seed << 8 | (uint)key) + SeedMix.Golden);

    /// <summary>Returns at once, even while a world loads (hosts release instances on their UI thread): a load still
    /// running finds the table closed and disposes its world itself.</summary>
    public void Dispose()
    {
        worker.Dispose();
        worlds.Dispose();
    }
}
