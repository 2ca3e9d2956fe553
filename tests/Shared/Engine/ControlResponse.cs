using Distill.Runtime.Engine;

namespace Distill.Tests;

/// <summary>
/// How soon each control is heard: a held note at variation 1 is rendered with and without one control moved at
/// time T, and the response is the first sample where the two differ, after T. The moves, times and the bound are
/// shared by the engine's tests and the plugin binaries' tests, so the README's table reads the same everywhere.
/// </summary>
public static class ControlResponse
{
    /// <summary>The goal: every control is heard within 0.25 s of its automation point.</summary>
    public const double BoundSeconds = 0.25;

    /// <summary>A control moved from its value in the held note to another at time T.</summary>
    public sealed record Move(string Name, ParameterId Id, double From, double To);

    public static readonly Move[] Moves =
    [
        new("temperature", ParameterId.Temperature, 0.9, 2.0),
        new("top-k", ParameterId.TopK, 0, 1),
        new("top-p", ParameterId.TopP, 1, 0.05),
        new("level tilt", ParameterId.LevelTilt, 0, 1),
        new("variation", ParameterId.Variation, 1, 0),
        new("mod wheel", ParameterId.ModWheel, 0, 1),
        new("morph", ParameterId.Morph, 0, 1),
        new("depth", ParameterId.Depth, InstrumentParameters.MaxDepth, 1),
        new("step rate", ParameterId.StepRate, 1, 4),
        new("freeze", ParameterId.Freeze, 0, 1),
    ];

    /// <summary>Automation points spread over one time step (8,192 samples at 48 kHz) after the note's primed opening
    /// (1.37 s), so the worst case of a step-quantised control is among them.</summary>
    public static readonly double[] Times = [1.60, 1.6427, 1.6853, 1.7280];

    /// <summary>Seconds rendered after the latest automation point: more than the bound.</summary>
    public const double Tail = 0.4;

    public const int Key = 60;
    public const float Velocity = 0.8f;

    /// <summary>First index at which the two signals differ, or null.</summary>
    public static int? FirstDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = Math.Min(a.Length, b.Length);
        int same = a[..n].CommonPrefixLength(b[..n]);
        return same < n ? same : null;
    }
}
