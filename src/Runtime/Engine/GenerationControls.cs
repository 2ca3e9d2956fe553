using Distill.Runtime.Sampling;

namespace Distill.Runtime.Engine;

/// <summary>The parameters a voice's generation reads, as of one moment of the engine's timeline.</summary>
public readonly record struct GenerationControls(
    SamplingSettings Sampling,
    float LevelTilt,
    float Variation,
    float Morph,
    float Depth,
    float StepRate,
    bool Freeze)
{
    /// <summary>Every parameter at its default.</summary>
    public static GenerationControls Defaults => From(InstrumentParameters.Defaults());

    /// <summary>Controls from plain parameter values indexed by <see cref="ParameterId"/>; the mod wheel adds to
    /// the temperature.</summary>
    public static GenerationControls From(ReadOnlySpan<double> values) => new(
        new SamplingSettings((float)(values[(int)ParameterId.Temperature] + values[(int)ParameterId.ModWheel]),
                             (int)values[(int)ParameterId.TopK], (float)values[(int)ParameterId.TopP]),
        (float)values[(int)ParameterId.LevelTilt], (float)values[(int)ParameterId.Variation],
        (float)values[(int)ParameterId.Morph], (float)values[(int)ParameterId.Depth],
        (float)values[(int)ParameterId.StepRate], values[(int)ParameterId.Freeze] >= 0.5);

    /// <summary>Temperature multiplier of RVQ level <paramref name="level"/> of <paramref name="levels"/>:
    /// 2^(tilt·(2·level/(levels−1) − 1)), so tilt +1 halves the coarsest level's temperature and doubles the
    /// finest's.</summary>
    public float LevelScale(int level, int levels) =>
        levels < 2 ? 1f : MathF.Pow(2f, LevelTilt * (2f * level / (levels - 1) - 1f));
}
