using System.Diagnostics;
using Distill.Runtime.Dsp;

namespace Distill.Plugin.Core;

/// <summary>
/// Tells, from the audio thread's own calls, whether the host is running faster than real time (an export or
/// freewheel it did not announce). Over windows of at least <see cref="WindowSeconds"/> of audio it compares the
/// audio delivered with the wall time the host spent between our calls — our own time inside a call, which
/// includes waiting for generation, does not count — and reports fast while the host goes more than
/// <see cref="FastRatio"/>× real time. A real-time host with any jitter stays near 1×; a freewheeling one is far
/// above. Allocation-free; reads only the monotonic clock.
/// </summary>
public sealed class HostPace
{
    public const double WindowSeconds = 0.1, FastRatio = 2;
    static readonly double TicksPerSecond = Stopwatch.Frequency;

    double sampleRate = FeatureConfig.ModelRate;
    long callEnd = -1;
    double windowAudio, windowHost;

    /// <summary>Whether the last full window ran faster than real time.</summary>
    public bool Fast { get; private set; }

    public void Reset(double rate)
    {
        sampleRate = rate;
        callEnd = -1;
        windowAudio = windowHost = 0;
        Fast = false;
    }

    /// <summary>At the start of a host block of <paramref name="frames"/> samples.</summary>
    public void BlockStarted(int frames, int maxFrames)
    {
        long now = Stopwatch.GetTimestamp();
        if (callEnd >= 0)
        {
            windowHost += (now - callEnd) / TicksPerSecond;
            // The previous block's audio, against the host's time since we returned it.
            if (windowAudio >= Math.Max(WindowSeconds, 4.0 * maxFrames / sampleRate))
            {
                Fast = windowAudio > FastRatio * windowHost;
                windowAudio = windowHost = 0;
            }
        }
        windowAudio += frames / sampleRate;
    }

    /// <summary>At the end of the host block.</summary>
    public void BlockEnded() => callEnd = Stopwatch.GetTimestamp();
}
