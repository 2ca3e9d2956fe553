using Distill.Runtime.Engine;

namespace Distill.Plugin.Core;

/// <summary>
/// Renders one host block through the core: the block's events, gathered by a format layer into a buffer
/// allocated once, then the audio into the host's channels. Hosts are trusted for nothing: offsets are clamped
/// into the block, out-of-order input is sorted (stably, so a parameter change before a note at the same offset
/// stays before it), a block longer than the activated maximum is rendered in pieces, events past the capacity
/// are dropped rather than allocated, and an output that is not the stereo pair we declared still gets a mono fold.
/// </summary>
public sealed unsafe class BlockRenderer
{
    public const int Capacity = 4096;

    readonly InstrumentEvent[] events = new InstrumentEvent[Capacity];
    int count;
    float[] scratchLeft = [], scratchRight = [];

    public void Clear() => count = 0;

    /// <summary>Adds <paramref name="e"/> at its offset clamped to [0, frames − 1]; false when full.</summary>
    public bool Add(in InstrumentEvent e, int frames)
    {
        if (count == Capacity) return false;
        ref var slot = ref events[count++];
        slot = e;
        slot.Offset = Math.Clamp(e.Offset, 0, Math.Max(frames - 1, 0));
        return true;
    }

    /// <summary>Main thread, at activation: room for a block of <paramref name="maxFrames"/> when the host's output
    /// is odd.</summary>
    public void Prepare(int maxFrames)
    {
        if (scratchLeft.Length >= maxFrames) return;
        scratchLeft = new float[maxFrames];
        scratchRight = new float[maxFrames];
    }

    /// <summary>Renders <paramref name="frames"/> into the host's channels (null or fewer than two: see the
    /// class summary).</summary>
    public void Render(DistillPlugin plugin, float** channels, int channelCount, int frames)
    {
        plugin.BlockStarted(frames);
        RenderChannels(plugin, channels, channelCount, frames);
        plugin.BlockEnded();
    }

    void RenderChannels(DistillPlugin plugin, float** channels, int channelCount, int frames)
    {
        if (channels != null && channelCount >= 2 && channels[0] != null && channels[1] != null)
        {
            Render(plugin, new Span<float>(channels[0], frames), new Span<float>(channels[1], frames));
            for (int c = 2; c < channelCount; c++)
                if (channels[c] != null) new Span<float>(channels[c], frames).Clear();
            return;
        }
        int n = Math.Min(frames, scratchLeft.Length);
        Render(plugin, scratchLeft.AsSpan(0, n), scratchRight.AsSpan(0, n));
        if (channels == null || channelCount < 1 || channels[0] == null) return;
        var mono = new Span<float>(channels[0], frames);
        scratchLeft.AsSpan(0, n).CopyTo(mono);
        mono[n..].Clear();
    }

    /// <summary>Pieces of at most <see cref="DistillPlugin.MaxFrames"/>, each with its own events at piece-relative
    /// offsets (the instrument splits each piece at them); a zero-length block still delivers its events.</summary>
    void Render(DistillPlugin plugin, Span<float> left, Span<float> right)
    {
        SortByOffset();
        int frames = left.Length, piece = Math.Max(plugin.MaxFrames, 1), first = 0, start = 0;
        do
        {
            int length = Math.Min(piece, frames - start), end = first;
            bool last = start + length >= frames;
            while (end < count && (last || events[end].Offset < start + length)) events[end++].Offset -= start;
            plugin.Process(events.AsSpan(first, end - first), left.Slice(start, length), right.Slice(start, length));
            first = end;
            start += length;
        } while (start < frames);
        count = 0;
    }

    /// <summary>Insertion sort: stable, allocation-free, linear on the already-sorted input hosts
    /// normally send.</summary>
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
