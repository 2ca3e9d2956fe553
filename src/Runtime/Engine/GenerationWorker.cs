namespace Distill.Runtime.Engine;

/// <summary>
/// The thread that generates every voice's audio ahead of the audio thread. It works through one timeline:
/// events (note starts and ends, parameter changes) and voice frames in order of their model-rate time, where a
/// voice's output frame k (starting at t0) is rendered at time max(t0, t0 + k·hop − <see cref="LookAhead"/>)
/// with the parameters in force then, and only once the audio thread's playhead has passed that time (so every
/// event up to it is known). The audio thread therefore hears the same samples however the two threads are
/// scheduled — underruns aside, which the audio thread fades over — and an offline render is bit-identical to a
/// real-time one.
/// </summary>
sealed class GenerationWorker : IDisposable
{
    /// <summary>How far ahead of the playhead voices are rendered offline, and live with host blocks of up to 1,024
    /// samples (64 ms at 48 kHz): the delay with which generation parameters take effect, and the slack that absorbs
    /// the worker's bursts. Short, because a voice's work comes in even portions — each output frame decides a share
    /// of the next step's tokens, and a step is decoded the moment it is read.</summary>
    public const int MinimumLookAhead = 3072;

    /// <summary>What a live host's worker keeps beyond one block: the audio thread hands over a whole block at once,
    /// and note starts and the other voices' steps come in bursts of up to a few tens of milliseconds.</summary>
    public const int LiveSlack = 2048;

    /// <summary>The look-ahead in force (model-rate samples), set by the instrument, read on the worker thread.</summary>
    public int LookAhead
    {
        get => Volatile.Read(ref lookAhead);
        set => Volatile.Write(ref lookAhead, Math.Clamp(value, MinimumLookAhead, MaximumLookAhead));
    }
    /// <summary>Half a voice's ring: hosts with still larger blocks underrun whatever the look-ahead.</summary>
    const int MaximumLookAhead = 1 << 15;
    int lookAhead = MinimumLookAhead;

    /// <summary>A voice slot as the worker sees it: the note it generates and how far it has got.</summary>
    sealed class GeneratingVoice(int slot)
    {
        public readonly int Slot = slot;
        public bool Active;
        public int Generation, World;
        public long Start, Frames;
        public VoiceRenderer? Renderer;
        public PriorLockstep? Lockstep;
        public long ReadTime(int hop, int lookAhead) => Math.Max(Start, Start + Frames * hop - lookAhead);
    }

    readonly SpscRing<EngineEvent> events;
    readonly VoiceChannel[] channels;
    readonly WorldTable worlds;
    readonly GeneratingVoice[] voices;
    readonly GeneratingVoice[] due;     // voices rendering a frame together
    readonly CodeStream[] streams;      // their code streams, for the batched prior reads
    readonly double[] values = InstrumentParameters.Defaults();
    readonly Thread thread;
    readonly Func<long> playhead;
    readonly Action idle;
    GenerationControls controls = GenerationControls.Defaults;
    float[] hop = new float[512];
    volatile bool stopping;
    int currentWorld = -1;

    /// <param name="idle">Called whenever nothing on the timeline is due (the owner loads worlds from there).</param>
    public GenerationWorker(SpscRing<EngineEvent> events, VoiceChannel[] channels, WorldTable worlds,
                            Func<long> playhead, Action idle)
    {
        this.events = events; this.channels = channels; this.worlds = worlds;
        this.playhead = playhead; this.idle = idle;
        voices = channels.Select((_, i) => new GeneratingVoice(i)).ToArray();
        due = new GeneratingVoice[voices.Length];
        streams = new CodeStream[voices.Length];
        thread = new Thread(Run)
        {
            IsBackground = true, Name = "Distill generation", Priority = ThreadPriority.AboveNormal
        };
        thread.Start();
    }

    /// <summary>Offline renders set this so the worker yields instead of sleeping between checks.</summary>
    public volatile bool Eager;

    /// <summary>Raised on the worker thread when something failed there (a voice that failed is silenced).</summary>
    public event Action<Exception>? Faulted;

    /// <summary>Time spent working — events, frames, priming — (the worker's CPU load, for benchmarks), in
    /// Stopwatch ticks.</summary>
    public long BusyTicks => Volatile.Read(ref busyTicks);
    long busyTicks;

    void Run()
    {
        while (!stopping)
        {
            try
            {
                long started = System.Diagnostics.Stopwatch.GetTimestamp();
                if (Work() || Prime())
                {
                    Volatile.Write(ref busyTicks, busyTicks + System.Diagnostics.Stopwatch.GetTimestamp() - started);
                    continue;
                }
                idle();
            }
            catch (Exception e)
            {
                // An exception escaping a plugin's thread would take the host down with it.
                Faulted?.Invoke(e);
            }
            if (Eager) Thread.Yield();
            else Thread.Sleep(1);
        }
    }

    /// <summary>Does the next thing on the timeline if it is due; returns whether anything was done.</summary>
    bool Work()
    {
        long now = playhead();
        int ahead = LookAhead;
        GeneratingVoice? next = null;
        long nextTime = long.MaxValue;
        foreach (var v in voices)
        {
            if (!v.Active) continue;
            long t = v.ReadTime(hop.Length, ahead);
            if (t < nextTime) { nextTime = t; next = v; }
        }
        bool pending = events.TryPeek(out var e);
        if (pending && e.Time <= nextTime)
        {
            events.Skip(1);
            Apply(e);
            return true;
        }
        if (next is null || nextTime >= now) return false;
        if (channels[next.Slot].Audio.Free < hop.Length) return false; // keep timeline order: nothing later may run before this frame
        // Every voice with a frame due before the next event renders it now, under the same controls: the prior
        // reads of each world's voices go in one batch. (Events not yet queued lie at or after the playhead.)
        long until = pending ? Math.Min(now, e.Time) : now;
        for (int w = 0; w < WorldTable.Capacity; w++)
        {
            int count = 0;
            foreach (var v in voices)
                if (v.Active && v.World == w && v.ReadTime(hop.Length, ahead) < until
                    && channels[v.Slot].Audio.Free >= hop.Length)
                    due[count++] = v;
            if (count > 0) RenderFrames(due.AsSpan(0, count));
        }
        return true;
    }

    /// <summary>The next frame of each of <paramref name="batch"/> (voices of one world): their prior reads together,
    /// then each one's decode, phase and output.</summary>
    void RenderFrames(ReadOnlySpan<GeneratingVoice> batch)
    {
        try
        {
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i].Renderer!.Ask(controls);
                streams[i] = batch[i].Renderer!.Codes;
            }
            batch[0].Lockstep!.Read(streams.AsSpan(0, batch.Length), controls);
        }
        catch (Exception ex)
        {
            // A model that fails at run time silences its voices, never the process.
            foreach (var v in batch) v.Active = false;
            Faulted?.Invoke(ex);
            return;
        }
        foreach (var v in batch)
        {
            try
            {
                v.Renderer!.Render(controls, hop);
            }
            catch (Exception ex)
            {
                v.Active = false;
                Faulted?.Invoke(ex);
                continue;
            }
            long sample = v.Frames * hop.Length;
            v.Frames++;
            // The opening is pre-rendered; the ring carries the note from the handover crossfade on.
            int skip = (int)Math.Clamp(World.OpeningSamples - World.HandoverSamples - sample, 0, hop.Length);
            channels[v.Slot].Audio.TryWrite(hop.AsSpan(skip));
        }
    }

    /// <summary>Idle time: the prior reads voices' primed openings ahead of need, each world's voices batched (the
    /// result does not depend on when).</summary>
    bool Prime()
    {
        bool any = false;
        for (int w = 0; w < WorldTable.Capacity; w++)
        {
            int count = 0;
            PriorLockstep? lockstep = null;
            foreach (var v in voices)
                if (v.Active && v.World == w && v.Renderer!.Codes.AskPrime(64))
                {
                    streams[count++] = v.Renderer.Codes;
                    lockstep = v.Lockstep;
                }
            if (count == 0) continue;
            lockstep!.Read(streams.AsSpan(0, count), controls);
            any = true;
        }
        return any;
    }

    void Apply(in EngineEvent e)
    {
        switch (e.Kind)
        {
            case EngineEventKind.Parameter:
                values[(int)e.Parameter] = e.Value;
                controls = GenerationControls.From(values);
                break;
            case EngineEventKind.Start:
                Start(e);
                break;
            case EngineEventKind.End:
                if (voices[e.Slot].Generation == e.Generation) voices[e.Slot].Active = false;
                ReleaseRetiredWorlds();
                break;
            case EngineEventKind.WorldChanged:
                worlds.Retire(currentWorld);
                currentWorld = e.World;
                ReleaseRetiredWorlds();
                break;
        }
    }

    /// <summary>Worlds the audio thread has switched away from are disposed once no voice plays them.</summary>
    void ReleaseRetiredWorlds()
    {
        for (int w = 0; w < WorldTable.Capacity; w++)
        {
            bool used = false;
            foreach (var v in voices) used |= v.Active && v.World == w;
            if (!used) worlds.ReleaseIfRetired(w);
        }
    }

    void Start(in EngineEvent e)
    {
        var voice = voices[e.Slot];
        var world = worlds[e.World];
        if (world is null) { voice.Active = false; return; }
        voice.Active = true;
        voice.Generation = e.Generation;
        voice.World = e.World;
        voice.Start = e.Time;
        voice.Frames = 0;
        voice.Renderer = world.Voice(e.Slot);
        voice.Lockstep = world.Lockstep;
        if (hop.Length != voice.Renderer.Hop) hop = new float[voice.Renderer.Hop];
        voice.Renderer.Start(world.Anchors[e.Anchor], world.MorphTarget(e.Anchor), e.Seed, controls);
        channels[e.Slot].Begin(e.Generation);
    }

    public void Dispose()
    {
        stopping = true;
        thread.Join();
    }
}
