namespace Distill.Runtime.Midi;

/// <summary>
/// Ticks → seconds. With a metrical (PPQ) division, time is piecewise linear between tempo changes: a tick lasts
/// µs-per-quarter / 10⁶ / PPQ seconds, 500 000 µs (120 bpm) until the first change. With an SMPTE division a tick
/// is a fixed fraction of a frame and tempo events do not apply.
/// </summary>
sealed class TempoMap
{
    public const int DefaultMicrosPerQuarter = 500_000;

    readonly long[] startTicks;
    readonly double[] startSeconds, secondsPerTick;

    TempoMap(long[] startTicks, double[] startSeconds, double[] secondsPerTick) =>
        (this.startTicks, this.startSeconds, this.secondsPerTick) = (startTicks, startSeconds, secondsPerTick);

    /// <param name="changes">Tempo changes in file order; at equal ticks the last one wins.</param>
    public static TempoMap Metrical(int ticksPerQuarter, IEnumerable<(long Tick, int MicrosPerQuarter)> changes)
    {
        var ordered = changes.OrderBy(c => c.Tick)
                             .Prepend((Tick: 0L, MicrosPerQuarter: DefaultMicrosPerQuarter)).ToArray();
        var ticks = new long[ordered.Length];
        var seconds = new double[ordered.Length];
        var rates = new double[ordered.Length];
        for (int i = 0; i < ordered.Length; i++)
        {
            ticks[i] = ordered[i].Tick;
            rates[i] = ordered[i].MicrosPerQuarter / 1e6 / ticksPerQuarter;
            seconds[i] = i == 0 ? 0 : seconds[i - 1] + (ticks[i] - ticks[i - 1]) * rates[i - 1];
        }
        return new TempoMap(ticks, seconds, rates);
    }

    public static TempoMap Timecode(double framesPerSecond, int ticksPerFrame) =>
        new([0], [0], [1 / (framesPerSecond * ticksPerFrame)]);

    public double Seconds(long tick)
    {
        // The last segment starting at or before the tick (the latest of several changes at that tick).
        int lo = 0, hi = startTicks.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (startTicks[mid] <= tick) lo = mid; else hi = mid - 1;
        }
        return startSeconds[lo] + (tick - startTicks[lo]) * secondsPerTick[lo];
    }
}
