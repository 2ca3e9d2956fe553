using System.Runtime.InteropServices;

namespace Distill.Runtime.Engine;

enum EngineEventKind : byte
{
    /// <summary>A note starts in voice slot <see cref="EngineEvent.Slot"/>.</summary>
    Start,
    /// <summary>The audio thread is done with the slot's voice: stop generating it.</summary>
    End,
    Parameter,
    /// <summary>The audio thread switched to world table entry <see cref="EngineEvent.World"/>.</summary>
    WorldChanged,
}

/// <summary>What the audio thread tells the generation worker, stamped with the model-rate sample time at
/// which it happened. The worker applies events and renders frames in timestamp order, which makes the output
/// a function of the event timeline alone, not of thread timing.</summary>
[StructLayout(LayoutKind.Auto)]
struct EngineEvent
{
    public long Time;
    public EngineEventKind Kind;
    public int Slot;
    public int Generation;
    public int World;
    public int Anchor;
    public ulong Seed;
    public ParameterId Parameter;
    public double Value;
}

/// <summary>Worker → audio thread, per voice slot: the generated audio and which note it belongs to.</summary>
sealed class VoiceChannel
{
    /// <summary>1.4 s at 48 kHz: look-ahead, the largest block, and slack.</summary>
    public readonly SpscRing<float> Audio = new(1 << 16);
    int readyGeneration = -1;
    long startPosition;

    /// <summary>Worker: the note <paramref name="generation"/>'s audio begins at the ring's current
    /// write position.</summary>
    public void Begin(int generation)
    {
        Volatile.Write(ref startPosition, Audio.WritePosition);
        Volatile.Write(ref readyGeneration, generation);
    }

    /// <summary>Audio thread: where the note's audio starts, once the worker has begun it.</summary>
    public bool TryGetStart(int generation, out long position)
    {
        position = 0;
        if (Volatile.Read(ref readyGeneration) != generation) return false;
        position = Volatile.Read(ref startPosition);
        return true;
    }
}
