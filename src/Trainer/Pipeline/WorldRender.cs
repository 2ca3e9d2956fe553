using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;

namespace Distill.Trainer.Pipeline;

/// <summary>
/// A performance played offline on one world by the plugins' own engine (<see cref="Instrument"/> through
/// <see cref="Performance"/>) into a stereo 24-bit WAV or a mono mix in memory: what <c>distill render</c>,
/// <c>distill generate</c>, <c>distill evaluate</c> and a run's example use, so each is what the plugin plays.
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
        using var world = new PlayedWorld(worldPath);
        try
        {
            using var wav = new WavFileWriter(output, 2, sampleRate, WavSampleFormat.Pcm24);
            var interleaved = new float[2 * Block];
            world.Render(events, sampleRate, frames, (left, right) =>
            {
                for (int i = 0; i < left.Length; i++)
                {
                    interleaved[2 * i] = left[i];
                    interleaved[2 * i + 1] = right[i];
                }
                wav.Write(interleaved.AsSpan(0, 2 * left.Length));
            });
            wav.Complete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserFacingException($"Cannot write '{output}': {e.Message}");
        }
        return world.Status;
    }

    /// <summary>Renders <paramref name="frames"/> frames mixed to mono as the audio loader mixes a stereo file
    /// ((left + right) / 2).</summary>
    public static float[] ToMono(string worldPath, IEnumerable<PerformanceEvent> events, int sampleRate, long frames)
    {
        using var world = new PlayedWorld(worldPath);
        var mono = new float[frames];
        long at = 0;
        world.Render(events, sampleRate, frames, (left, right) =>
        {
            for (int i = 0; i < left.Length; i++) mono[at + i] = (left[i] + right[i]) / 2;
            at += left.Length;
        });
        return mono;
    }

    /// <summary>One world in its own instrument; a world that cannot be played stops the render with one clear
    /// message.</summary>
    sealed class PlayedWorld : IDisposable
    {
        readonly string path;
        readonly Instrument instrument;
        string? failure;

        public PlayedWorld(string worldPath)
        {
            if (!File.Exists(worldPath)) throw new UserFacingException($"No world at '{worldPath}'.");
            path = worldPath;
            instrument = new Instrument([new WorldEntry(Path.GetFileNameWithoutExtension(worldPath),
                                                        Path.GetFullPath(worldPath))]);
            instrument.WorldLoadFailed += (_, e) =>
                failure = e is InvalidWorldException w ? string.Join("\n  ", w.Problems) : e.Message;
        }

        public string Status => instrument.WorldStatus;

        public void Render(IEnumerable<PerformanceEvent> events, int sampleRate, long frames, AudioBlockSink sink) =>
            Performance.Render(instrument, events, sampleRate, frames, (left, right) =>
            {
                if (failure is not null) throw new UserFacingException($"'{path}' cannot be played:\n  {failure}");
                sink(left, right);
            }, Block);

        public void Dispose() => instrument.Dispose();
    }
}
