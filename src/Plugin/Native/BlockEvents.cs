namespace Distill.Plugin.Native;

/// <summary>
/// The events of one block, gathered by a format layer into a buffer allocated once, then handed to the core
/// in order. Hosts are trusted for nothing: offsets are clamped into the block, out-of-order input is sorted
/// (stably, so a parameter change before a note at the same offset stays before it), a block longer than the
/// activated maximum is rendered in pieces, and events past the capacity are dropped rather than allocated.
/// </summary>
sealed class BlockEvents
{
    public const int Capacity = 4096;

    readonly PluginEvent[] events = new PluginEvent[Capacity];
    int count;

    public int Count => count;
    public ReadOnlySpan<PluginEvent> Events => events.AsSpan(0, count);

    public void Clear() => count = 0;

    /// <summary>Adds <paramref name="e"/> at its offset clamped to [0, frames − 1]; false when full.</summary>
    public bool Add(in PluginEvent e, int frames)
    {
        if (count == Capacity) return false;
        ref var slot = ref events[count++];
        slot = e;
        slot.Offset = Math.Clamp(e.Offset, 0, Math.Max(frames - 1, 0));
        return true;
    }

    /// <summary>Renders <paramref name="left"/>/<paramref name="right"/> through <paramref name="plugin"/> in pieces of
    /// at most <see cref="DistillPlugin.MaxFrames"/>, each with its own events at piece-relative offsets.</summary>
    public void Render(DistillPlugin plugin, Span<float> left, Span<float> right)
    {
        SortByOffset();
        int frames = left.Length, piece = Math.Max(plugin.MaxFrames, 1), first = 0;
        for (int start = 0; start < frames; start += piece)
        {
            int length = Math.Min(piece, frames - start), end = first;
            while (end < count && events[end].Offset < start + length) events[end++].Offset -= start;
            plugin.Process(events.AsSpan(first, end - first), left.Slice(start, length), right.Slice(start, length));
            first = end;
        }
        count = 0;
    }

    /// <summary>Insertion sort: stable, allocation-free, linear on the already-sorted input hosts normally send.</summary>
    void SortByOffset()
    {
        for (int i = 1; i < count; i++)
        {
            var e = events[i];
            int j = i - 1;
            while (j >= 0 && events[j].Offset > e.Offset) { events[j + 1] = events[j]; j--; }
            events[j + 1] = e;
        }
    }
}
