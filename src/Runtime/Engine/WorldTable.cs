namespace Distill.Runtime.Engine;

/// <summary>
/// The few worlds alive at once — the one playing, one just loaded, and ones still sounding in fading voices —
/// in fixed entries the audio thread and the worker refer to by index (events carry no references). A loader
/// thread fills a free entry; the worker retires and disposes entries; the audio thread only reads.
/// </summary>
sealed class WorldTable : IDisposable
{
    public const int Capacity = 4;
    readonly World?[] entries = new World?[Capacity];
    readonly bool[] retired = new bool[Capacity];
    readonly object gate = new(); // loader vs worker only; the audio thread never takes it
    bool closed;

    public World? this[int index] => index >= 0 && index < Capacity ? Volatile.Read(ref entries[index]) : null;

    /// <summary>Loader: stores a world in a free entry; −1 when all are in use (a switch storm) or the table is
    /// disposed (the instrument was released while the world loaded), and the caller disposes the world.</summary>
    public int Add(World world)
    {
        lock (gate)
        {
            if (closed) return -1;
            for (int i = 0; i < Capacity; i++)
                if (entries[i] is null)
                {
                    retired[i] = false;
                    Volatile.Write(ref entries[i], world);
                    return i;
                }
            return -1;
        }
    }

    /// <summary>Worker: the audio thread no longer starts notes on this entry.</summary>
    public void Retire(int index)
    {
        if (index < 0) return;
        lock (gate) retired[index] = true;
    }

    /// <summary>Worker: disposes a retired entry (no voice uses it any more).</summary>
    public void ReleaseIfRetired(int index)
    {
        World? world;
        lock (gate)
        {
            if (!retired[index] || entries[index] is null) return;
            world = entries[index];
            Volatile.Write(ref entries[index], null);
            retired[index] = false;
        }
        world!.Dispose();
    }

    public void Dispose()
    {
        lock (gate)
        {
            closed = true;
            for (int i = 0; i < Capacity; i++)
            {
                entries[i]?.Dispose();
                entries[i] = null;
            }
        }
    }
}
