using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;

namespace Distill.Trainer.Pipeline;

/// <summary>
/// A performance played offline on one world by the plugins' own engine (<see cref="Instrument"/> through
/// <see cref="Performance"/>) into a stereo 24-bit WAV: what <c>distill render</c>, <c>distill generate</c> and a
/// run's example write, so each file is what the plugin plays.
/// </summary>
public static class WorldRender
{
    /// <summary>The block the score is cut into, as a host would; any size gives the same samples.</summary>
    public const int Block = 512;

    /// <summary>Renders <paramref name="frames"/> frames and returns the world's status text. A world that cannot be
    /// played and a file that cannot be written are one clear message each.</summary>
    public static string ToWav(string worldPath, IEnumerable<PerformanceEvent> events, int sampleRate, long frames,
                               string output)
    {
        if (!File.Exists(worldPath)) throw new UserFacingException($"No world at '{worldPath}'.");
        using var instrument = new Instrument([new WorldEntry(Path.GetFileNameWithoutExtension(worldPath),
                                                              Path.GetFullPath(worldPath))]);
        string? failure = null;
        instrument.WorldLoadFailed += (_, e) =>
            failure = e is InvalidWorldException w ? string.Join("\n  ", w.Problems) : e.Message;
        try
        {
            using var wav = new WavFileWriter(output, 2, sampleRate, WavSampleFormat.Pcm24);
            var interleaved = new float[2 * Block];
            Performance.Render(instrument, events, sampleRate, frames, (left, right) =>
            {
                if (failure is not null) throw new UserFacingException($"'{worldPath}' cannot be played:\n  {failure}");
                for (int i = 0; i < left.Length; i++)
                {
                    interleaved[2 * i] = left[i];
                    interleaved[2 * i + 1] = right[i];
                }
                wav.Write(interleaved.AsSpan(0, 2 * left.Length));
            }, Block);
            wav.Complete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write '{output}': {e.Message}");
        }
        return instrument.WorldStatus;
    }
}
