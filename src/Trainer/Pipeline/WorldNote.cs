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
    public const int SampleRate = FeatureConfig.ModelRate;

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
            yield return new PerformanceEvent(0, InstrumentEvent.ParameterValue(0, (uint)id, value));
        yield return new PerformanceEvent(0, InstrumentEvent.NoteOn(0, Key, velocity: 1));
    }

    /// <summary>Plays the note on the world at <paramref name="worldPath"/> into a stereo 24-bit WAV.</summary>
    public void Write(string worldPath, string output) =>
        WorldRender.ToWav(worldPath, Events(), SampleRate, Performance.Samples(Seconds, SampleRate), output);

    /// <summary>Plays the note on the world at <paramref name="worldPath"/>, mixed to mono.</summary>
    public float[] Mono(string worldPath) =>
        WorldRender.ToMono(worldPath, Events(), SampleRate, Performance.Samples(Seconds, SampleRate));
}
