using Distill.Runtime.Audio;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;

namespace Distill.Trainer.Pipeline;

/// <summary>
/// One note held on a world, played offline by the plugins' own engine (<see cref="Instrument"/> through
/// <see cref="Performance"/>), so the file is what the plugin plays and what <c>distill render</c> makes of the
/// same note with the same parameters, bit for bit.
/// </summary>
public sealed record WorldNote(int Key, double Seconds)
{
    public const int MiddleC = 60;
    public double Seed { get; init; } = Default(ParameterId.Seed);
    public double Temperature { get; init; } = Default(ParameterId.Temperature);
    public double TopK { get; init; } = Default(ParameterId.TopK);
    public double TopP { get; init; } = Default(ParameterId.TopP);
    public double LevelTilt { get; init; } = Default(ParameterId.LevelTilt);
    public double Depth { get; init; } = Default(ParameterId.Depth);
    /// <summary>1: after the anchor's opening the prior continues freely.</summary>
    public double Variation { get; init; } = 1;

    /// <summary>The model's own rate: the engine plays it without resampling.</summary>
    public static int SampleRate => new FeatureConfig().SampleRate;

    static double Default(ParameterId id) => InstrumentParameters.Get(id).Default;

    /// <summary>The key nearest middle C (at or below it) that plays anchor <paramref name="anchor"/> of
    /// <paramref name="anchors"/> (the instrument plays anchor key mod anchors).</summary>
    public static int KeyFor(int anchor, int anchors)
    {
        int key = MiddleC - ((MiddleC - anchor) % anchors + anchors) % anchors;
        return key >= 0 ? key : anchor;
    }

    IEnumerable<PerformanceEvent> Events()
    {
        (ParameterId Id, double Value)[] parameters =
        [
            (ParameterId.Seed, Seed), (ParameterId.Temperature, Temperature), (ParameterId.TopK, TopK),
            (ParameterId.TopP, TopP), (ParameterId.LevelTilt, LevelTilt), (ParameterId.Depth, Depth),
            (ParameterId.Variation, Variation),
        ];
        foreach (var (id, value) in parameters)
            yield return new PerformanceEvent(0, PerformanceEventKind.Parameter, Parameter: id, Value: value);
        yield return new PerformanceEvent(0, PerformanceEventKind.NoteOn, Key, Velocity: 1);
    }

    /// <summary>Plays the note on the world at <paramref name="worldPath"/> into a stereo 24-bit WAV.</summary>
    public void Write(string worldPath, string output)
    {
        if (!File.Exists(worldPath)) throw new UserFacingException($"No world at '{worldPath}'.");
        using var instrument = new Instrument([new WorldEntry(Path.GetFileNameWithoutExtension(worldPath),
                                                              Path.GetFullPath(worldPath))]);
        string? failure = null;
        instrument.WorldLoadFailed += (_, e) =>
            failure = e is InvalidWorldException w ? string.Join("\n  ", w.Problems) : e.Message;
        try
        {
            using var wav = new WavFileWriter(output, 2, SampleRate, WavSampleFormat.Pcm24);
            var interleaved = new float[0];
            long length = Performance.Samples(Seconds, SampleRate);
            Performance.Render(instrument, Events(), SampleRate, length, (left, right) =>
            {
                if (failure is not null) throw new UserFacingException($"'{worldPath}' cannot be played:\n  {failure}");
                if (interleaved.Length < 2 * left.Length) interleaved = new float[2 * left.Length];
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
    }
}
