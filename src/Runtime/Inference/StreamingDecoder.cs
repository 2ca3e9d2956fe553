using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;
using G = Distill.Runtime.Bundle.WorldGraphs.Decoder;

namespace Distill.Runtime.Inference;

/// <summary>
/// The decoder graph over chunks of <see cref="Steps"/> time steps, each continuing the one before through the
/// graph's carried state, with inputs and outputs bound once to preallocated arrays: fill <see cref="Codes"/>,
/// <see cref="MorphCodes"/>, <see cref="Morph"/> and <see cref="LevelGain"/>, call <see cref="Run"/>, read
/// <see cref="Magnitude"/>. The state lives in two sets of buffers that swap roles on every run (two bindings), so
/// nothing is copied or allocated per run. <see cref="Reset"/> starts over from silence.
/// </summary>
public sealed class StreamingDecoder : IDisposable
{
    readonly long[] codes, morphCodes;
    readonly float[] morph, levelGain, magnitude;
    readonly float[][][] state; // [set][tensor][values]
    readonly List<OrtValue> values = [];
    readonly OrtIoBinding[] bindings;
    readonly RunOptions runOptions = new();
    readonly InferenceSession session;
    int current; // the state set the next run reads

    public int Steps { get; }
    public int Frames => Steps * WorldGraphs.FramesPerStep;
    public int Bins { get; }
    /// <summary>Tokens per time step (frequency positions × levels).</summary>
    public int TokensPerStep { get; }

    public StreamingDecoder(InferenceSession session, WorldManifest manifest, int steps)
    {
        this.session = session;
        int frequency = manifest.Grid.FrequencyPositions, levels = manifest.Quantizer.Levels;
        Steps = steps; Bins = manifest.Audio.NFft / 2 + 1; TokensPerStep = frequency * levels;
        codes = new long[steps * TokensPerStep];
        morphCodes = new long[codes.Length];
        morph = new float[steps];
        levelGain = new float[levels];
        magnitude = new float[Frames * Bins];
        var shapes = manifest.DecoderState;
        state = [.. Enumerable.Range(0, 2).Select(_ => shapes.Select(s => new float[s.Aggregate(1L, (a, d) => a * d)])
                                                                .ToArray())];
        long[] codeShape = [1, steps, frequency, levels];
        var codeValue = Value(OrtValue.CreateTensorValueFromMemory(codes, codeShape));
        var morphCodeValue = Value(OrtValue.CreateTensorValueFromMemory(morphCodes, codeShape));
        var morphValue = Value(OrtValue.CreateTensorValueFromMemory(morph, [1, steps]));
        var gainValue = Value(OrtValue.CreateTensorValueFromMemory(levelGain, [levels]));
        var magnitudeValue = Value(OrtValue.CreateTensorValueFromMemory(magnitude, [1, Frames, Bins]));
        var stateValues = state.Select(set => set.Select((buffer, i) =>
            Value(OrtValue.CreateTensorValueFromMemory(buffer, shapes[i]))).ToArray()).ToArray();
        bindings = new OrtIoBinding[2];
        for (int b = 0; b < 2; b++)
        {
            var binding = bindings[b] = session.CreateIoBinding();
            binding.BindInput(G.Codes, codeValue);
            binding.BindInput(G.MorphCodes, morphCodeValue);
            binding.BindInput(G.Morph, morphValue);
            binding.BindInput(G.LevelGain, gainValue);
            binding.BindOutput(G.Magnitude, magnitudeValue);
            for (int i = 0; i < shapes.Length; i++)
            {
                binding.BindInput(G.StateIn(i), stateValues[b][i]);
                binding.BindOutput(G.StateOut(i), stateValues[1 - b][i]);
            }
        }
        LevelGain.Fill(1);
    }

    OrtValue Value(OrtValue v)
    {
        values.Add(v);
        return v;
    }

    /// <summary>Codes [step, frequency, level], flattened as the prior's tokens.</summary>
    public Span<long> Codes => codes;
    public Span<long> MorphCodes => morphCodes;
    /// <summary>Per step, how far the latent moves toward <see cref="MorphCodes"/>.</summary>
    public Span<float> Morph => morph;
    /// <summary>Weight of each RVQ level (the depth control).</summary>
    public Span<float> LevelGain => levelGain;
    /// <summary>Linear magnitudes of the chunk, frame-major [frame · bins + bin].</summary>
    public ReadOnlySpan<float> Magnitude => magnitude;

    /// <summary>Level weights for a (possibly fractional) depth: 1 for the first ⌊depth⌋ levels, the fraction
    /// for the next, 0 after — so moving the depth control fades levels in and out.</summary>
    public static void DepthToGains(double depth, Span<float> gains)
    {
        for (int l = 0; l < gains.Length; l++) gains[l] = (float)Math.Clamp(depth - l, 0, 1);
    }

    /// <summary>Forgets the carried state: the next chunk starts from silence.</summary>
    public void Reset()
    {
        current = 0;
        foreach (var buffer in state[0]) Array.Clear(buffer);
    }

    /// <summary>Decodes the next chunk.</summary>
    public void Run()
    {
        session.RunWithBinding(runOptions, bindings[current]);
        current = 1 - current;
    }

    /// <summary>Decodes the last chunk again, from the state it started from (after its inputs changed): each run
    /// writes the other set of state buffers, so the one before is still there.</summary>
    public void RunAgain()
    {
        current = 1 - current;
        Run();
    }

    public void Dispose()
    {
        foreach (var b in bindings) b.Dispose();
        runOptions.Dispose();
        foreach (var v in values) v.Dispose();
    }
}
