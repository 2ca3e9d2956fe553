namespace Distill.Runtime.Engine;

/// <summary>Worlds: requested by the World parameter, loaded by a background task, adopted by the audio thread.
/// A request that cannot be played leaves the instrument silent (<see cref="NoWorld"/>), never on the previous
/// world.</summary>
public sealed partial class Instrument
{
    const int NothingPending = -1, NoWorld = -2, WorldFade = 2400;
    readonly WorldEntry[] catalog;
    readonly WorldTable worlds = new();
    int currentWorld = -1, pendingWorld = NothingPending, requestedWorld, loadedRequest = -1;
    Task? loading;
    volatile string worldStatus = "";

    /// <summary>A human-readable state of the World parameter: the world playing, loading, or why none plays.</summary>
    public string WorldStatus => worldStatus;
    public IReadOnlyList<WorldEntry> Catalog => catalog;
    /// <summary>Whether a world is playing (the audio thread has adopted one).</summary>
    public bool HasWorld => currentWorld >= 0;

    /// <summary>Raised on a background thread when a world cannot be loaded (for logging).</summary>
    public event Action<WorldEntry, Exception>? WorldLoadFailed;

    /// <summary>Audio thread: switches to a world the loader finished, crossfading held notes into it.</summary>
    void AdoptPendingWorld()
    {
        int entry = Volatile.Read(ref pendingWorld);
        if (entry == NothingPending
            || Interlocked.CompareExchange(ref pendingWorld, NothingPending, entry) != entry) return;
        int previous = currentWorld;
        currentWorld = entry == NoWorld ? -1 : entry;
        Post(new EngineEvent { Kind = EngineEventKind.WorldChanged, World = currentWorld });
        if (previous < 0) return;
        foreach (var v in voices)
        {
            if (!v.Active || v.WorldEntry != previous || v.Stage == VoiceStage.Fade) continue;
            bool held = v.Held;
            int key = v.Key, noteId = v.NoteId;
            float velocity = MathF.Sqrt(v.Amplitude);
            v.Fade(WorldFade);
            if (held) NoteOn(key, velocity, noteId);
        }
    }

    /// <summary>Worker idle time: starts loading the requested world when it differs from the last one
    /// loaded.</summary>
    void ServiceWorldRequest()
    {
        int wanted = Volatile.Read(ref requestedWorld);
        if (wanted == Volatile.Read(ref loadedRequest) || loading is { IsCompleted: false }) return;
        if (catalog.Length == 0 || wanted >= catalog.Length)
        {
            worldStatus = catalog.Length == 0
                ? "no worlds installed"
                : $"world {wanted + 1} is not installed ({catalog.Length} installed)";
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

    /// <summary>Hands the audio thread its next world; one it never took up (a newer request came first) is
    /// freed.</summary>
    void Publish(int entry)
    {
        int unused = Interlocked.Exchange(ref pendingWorld, entry);
        if (unused < 0) return;
        worlds.Retire(unused);
        worlds.ReleaseIfRetired(unused);
    }

    static string FirstLine(string s) => s.Split('\n')[0];

    /// <summary>Offline: a requested world is loaded before rendering, so a bounce never starts silent.</summary>
    void WaitForWorld()
    {
        long deadline = Environment.TickCount64 + OfflineWaitMs;
        while ((Volatile.Read(ref loadedRequest) != Volatile.Read(ref requestedWorld)
                || loading is { IsCompleted: false })
               && Environment.TickCount64 < deadline)
            Thread.Sleep(0);
        AdoptPendingWorld();
    }
}
