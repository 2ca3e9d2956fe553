using Distill.Runtime.Sampling;

namespace Distill.Runtime.Engine;

/// <summary>Notes on the audio thread: starting, stealing and releasing voices, and mixing each voice's opening
/// and generated stream into a chunk.</summary>
public sealed partial class Instrument
{
    const int StealFade = 240, StarveFade = 64;
    long noteOrder;
    int generation;

    /// <summary>Notes sounding now (held or releasing; voices fading out after being stolen do not count).
    /// Audio thread.</summary>
    public int SoundingNotes
    {
        get
        {
            int n = 0;
            foreach (var v in voices) if (v.Active && v.Stage != VoiceStage.Fade) n++;
            return n;
        }
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
        voice.Attack(values[(int)ParameterId.Attack]);
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
            if (v.Active && v.Held && v.Key == key && (noteId < 0 || v.NoteId == noteId))
                v.Release(values[(int)ParameterId.Release]);
    }

    /// <summary>Stops notes on <paramref name="key"/> with a short fade, skipping their release.</summary>
    public void Choke(int key, int noteId = -1)
    {
        foreach (var v in voices)
            if (v.Active && v.Key == key && (noteId < 0 || v.NoteId == noteId)) v.Fade(StealFade);
    }

    public void AllNotesOff()
    {
        foreach (var v in voices)
            if (v.Active && v.Held) v.Release(values[(int)ParameterId.Release]);
    }

    /// <summary>Adds one voice to the chunk; returns whether it ran out of generated audio.</summary>
    bool MixVoice(PlayingVoice v, Span<float> chunk)
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
            if (!v.Advance())
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
    int ReadStream(PlayingVoice v, Span<float> destination)
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
            for (int i = 0, n = Math.Min(got, StarveFade); i < n; i++)
                destination[got - 1 - i] *= (float)i / StarveFade;
            destination[got..].Clear();
        }
        return got;
    }

    PlayingVoice FreeVoice()
    {
        int sounding = 0;
        PlayingVoice? oldest = null, oldestReleased = null, free = null, oldestFading = null;
        foreach (var v in voices)
        {
            if (!v.Active) { free ??= v; continue; }
            if (v.Stage == VoiceStage.Fade)
            {
                if (oldestFading is null || v.Order < oldestFading.Order) oldestFading = v;
                continue;
            }
            sounding++;
            if (oldest is null || v.Order < oldest.Order) oldest = v;
            if (v.Stage == VoiceStage.Release && (oldestReleased is null || v.Order < oldestReleased.Order))
                oldestReleased = v;
        }
        if (sounding >= Polyphony) (oldestReleased ?? oldest)!.Fade(StealFade);
        if (free is not null) return free;
        End(oldestFading!); // more notes in 5 ms than slots: cut the oldest fade short
        return oldestFading!;
    }

    void End(PlayingVoice v)
    {
        v.Active = false;
        Post(new EngineEvent { Kind = EngineEventKind.End, Slot = v.Slot, Generation = v.Generation });
    }

    /// <summary>Same seed and key, same texture: SplitMix64 of both.</summary>
    static ulong VoiceSeed(int seed, int key) => SeedMix.Mix(((ulong)(uint)seed << 8 | (uint)key) + SeedMix.Golden);
}
