using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;
using G = Distill.Runtime.Bundle.WorldGraphs.Decoder;

namespace Distill.Runtime.Inference;

/// <summary>
/// The decoder graph over a fixed window of time steps, with its inputs and output bound once to preallocated
/// arrays: fill <see cref="Codes"/>, <see cref="MorphCodes"/>, <see cref="Morph"/> and <see cref="LevelGain"/>,
/// call <see cref="Run"/>, read <see cref="Magnitude"/>. Allocation-free per run.
/// </summary>
public sealed class DecoderWindow : IDisposable
{
    readonly InferenceSession session;
    readonly long[] codes, morphCodes;
    readonly float[] morph, levelGain, magnitude;
    readonly OrtValue[] values;
    readonly OrtIoBinding binding;
    readonly RunOptions runOptions = new();

    public int Steps { get; }
    public int Frames => Steps * WorldGraphs.FramesPerStep;
    public int Bins { get; }
    /// <summary>Tokens per time step (frequency positions × levels).</summary>
    public int TokensPerStep { get; }

    public DecoderWindow(InferenceSession session, int steps, int frequencyPositions, int levels, int bins)
    {
        this.session = session;
        Steps = steps; Bins = bins; TokensPerStep = frequencyPositions * levels;
        codes = new long[steps * TokensPerStep];
        morphCodes = new long[codes.Length];
        morph = new float[steps];
        levelGain = new float[levels];
        magnitude = new float[Frames * bins];
        long[] codeShape = [1, steps, frequencyPositions, levels];
        values =
        [
            OrtValue.CreateTensorValueFromMemory(codes, codeShape),
            OrtValue.CreateTensorValueFromMemory(morphCodes, codeShape),
            OrtValue.CreateTensorValueFromMemory(morph, [1, steps]),
            OrtValue.CreateTensorValueFromMemory(levelGain, [levels]),
            OrtValue.CreateTensorValueFromMemory(magnitude, [1, Frames, bins]),
        ];
        binding = session.CreateIoBinding();
        binding.BindInput(G.Codes, values[0]);
        binding.BindInput(G.MorphCodes, values[1]);
        binding.BindInput(G.Morph, values[2]);
        binding.BindInput(G.LevelGain, values[3]);
        binding.BindOutput(G.Magnitude, values[4]);
        LevelGain.Fill(1);
    }

    /// <summary>Codes [step, frequency, level], flattened as the prior's tokens.</summary>
    public Span<long> Codes => codes;
    public Span<long> MorphCodes => morphCodes;
    /// <summary>Per step, how far the latent moves toward <see cref="MorphCodes"/>.</summary>
    public Span<float> Morph => morph;
    /// <summary>Weight of each RVQ level (the depth control).</summary>
    public Span<float> LevelGain => levelGain;
    /// <summary>Linear magnitudes, frame-major [frame · bins + bin].</summary>
    public ReadOnlySpan<float> Magnitude => magnitude;

    /// <summary>Level weights for a (possibly fractional) depth: 1 for the first ⌊depth⌋ levels, the fraction
    /// for the next, 0 after — so moving the depth control fades levels in and out.</summary>
    public static void DepthToGains(double depth, Span<float> gains)
    {
        for (int l = 0; l < gains.Length; l++) gains[l] = (float)Math.Clamp(depth - l, 0, 1);
    }

    public void Run() => session.RunWithBinding(runOptions, binding);

    public void Dispose()
    {
        binding.Dispose();
        runOptions.Dispose();
        foreach (var v in values) v.Dispose();
    }
}
