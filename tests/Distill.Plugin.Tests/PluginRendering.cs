namespace Distill.Tests.Plugin;

/// <summary>Drives a plugin over a long stretch of audio: events at absolute frames, cut into host blocks.</summary>
internal static class PluginRendering
{
    /// <summary>Renders <paramref name="totalFrames"/> in blocks from <paramref name="blockSizes"/> (cycled), delivering each
    /// event in the block that contains it at its offset there.</summary>
    public static (float[] Left, float[] Right) Render(IPluginUnderTest plugin, int totalFrames, IReadOnlyList<HostEvent> eventsAtFrames,
                                                       params int[] blockSizes)
    {
        var left = new float[totalFrames];
        var right = new float[totalFrames];
        var sorted = eventsAtFrames.OrderBy(e => e.Offset).ToArray();
        int next = 0, block = 0;
        for (int start = 0; start < totalFrames; block++)
        {
            int frames = Math.Min(blockSizes[block % blockSizes.Length], totalFrames - start);
            var events = new List<HostEvent>();
            while (next < sorted.Length && sorted[next].Offset < start + frames)
                events.Add(sorted[next++] with { Offset = sorted[next - 1].Offset - start });
            var l = new float[frames];
            var r = new float[frames];
            if (!plugin.Process(frames, events.ToArray(), l, r)) throw new InvalidOperationException($"{plugin.Format} process failed at frame {start}");
            l.CopyTo(left, start);
            r.CopyTo(right, start);
            start += frames;
        }
        return (left, right);
    }

    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        foreach (float v in x) if (!float.IsFinite(v)) return false;
        return true;
    }
}
