using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;
using G = Distill.Runtime.Bundle.WorldGraphs.PriorStep;

namespace Distill.Runtime.Inference;

/// <summary>
/// One voice's autoregressive prior: the <c>prior_step</c> graph run token by token over a ring key/value
/// cache. Every input and output lives in a preallocated array bound once, so a step allocates nothing.
/// The ring keeps the last <see cref="PriorShape.CacheSlots"/> tokens, so generation slides past the
/// training context exactly like the trainer's sliding-window step.
/// </summary>
public sealed class PriorStep : IDisposable
{
    readonly InferenceSession session;
    readonly PriorShape shape;
    readonly int layers, heads, slots, headDim;
    readonly double[] inverseFrequency;
    readonly long[] previousToken = new long[1], slot = new long[1];
    readonly float[] ropeCos, ropeSin, pastKeys, pastValues, pastMask, logits, newKeys, newValues;
    readonly float[] condition;
    readonly OrtValue[] values;
    readonly OrtIoBinding binding;
    readonly RunOptions runOptions = new();

    /// <summary>Absolute index of the slot the next <see cref="Step"/> predicts.</summary>
    public long NextSlot { get; private set; }

    public int Vocabulary { get; }

    /// <summary>The <c>anchor_histogram</c> every step reads (levels · codebook; zeros = no anchor): the caller
    /// writes it before stepping (<see cref="Engine.AnchorCondition"/>); <see cref="Reset"/> keeps it.</summary>
    public Span<float> Condition => condition;

    public PriorStep(InferenceSession session, PriorShape shape, int codebookSize)
    {
        this.session = session; this.shape = shape; Vocabulary = codebookSize;
        layers = shape.Layers; heads = shape.Heads; slots = shape.CacheSlots; headDim = shape.HeadDim;
        int half = headDim / 2;
        inverseFrequency = new double[half];
        for (int i = 0; i < half; i++) inverseFrequency[i] = Math.Pow(shape.RopeBase, -2.0 * i / headDim);
        ropeCos = new float[half]; ropeSin = new float[half];
        pastKeys = new float[layers * heads * slots * headDim]; pastValues = new float[pastKeys.Length];
        pastMask = new float[slots];
        logits = new float[codebookSize];
        newKeys = new float[layers * heads * headDim]; newValues = new float[newKeys.Length];
        condition = new float[session.InputMetadata[G.AnchorHistogram].Dimensions[1]];

        long[] cacheShape = [layers, heads, slots, headDim], newShape = [layers, heads, 1, headDim];
        values =
        [
            OrtValue.CreateTensorValueFromMemory(previousToken, [1]),
            OrtValue.CreateTensorValueFromMemory(slot, [1]),
            OrtValue.CreateTensorValueFromMemory(ropeCos, [1, half]),
            OrtValue.CreateTensorValueFromMemory(ropeSin, [1, half]),
            OrtValue.CreateTensorValueFromMemory(pastKeys, cacheShape),
            OrtValue.CreateTensorValueFromMemory(pastValues, cacheShape),
            OrtValue.CreateTensorValueFromMemory(pastMask, [slots]),
            OrtValue.CreateTensorValueFromMemory(logits, [1, codebookSize]),
            OrtValue.CreateTensorValueFromMemory(newKeys, newShape),
            OrtValue.CreateTensorValueFromMemory(newValues, newShape),
            OrtValue.CreateTensorValueFromMemory(condition, [1, condition.Length]),
        ];
        binding = session.CreateIoBinding();
        string[] inputs = [G.PreviousToken, G.Slot, G.RopeCos, G.RopeSin, G.PastKeys, G.PastValues, G.PastMask];
        for (int i = 0; i < inputs.Length; i++) binding.BindInput(inputs[i], values[i]);
        binding.BindOutput(G.Logits, values[7]);
        binding.BindOutput(G.NewKeys, values[8]);
        binding.BindOutput(G.NewValues, values[9]);
        binding.BindInput(G.AnchorHistogram, values[10]);
        Reset();
    }

    /// <summary>Forgets every token: the next step predicts slot 0.</summary>
    public void Reset()
    {
        Array.Fill(pastMask, G.EmptySlot);
        NextSlot = 0;
    }

    /// <summary>Logits for slot <see cref="NextSlot"/> given the code of the slot before it (ignored at slot 0).
    /// The span is valid until the next call.</summary>
    public ReadOnlySpan<float> Step(long previousCode)
    {
        long current = NextSlot;
        previousToken[0] = previousCode;
        slot[0] = current;
        // Rotary angles of the token's time step, in double so hour-long sessions keep their precision.
        double time = current / shape.TokensPerStep;
        for (int i = 0; i < inverseFrequency.Length; i++)
        {
            double angle = time * inverseFrequency[i];
            ropeCos[i] = (float)Math.Cos(angle);
            ropeSin[i] = (float)Math.Sin(angle);
        }
        session.RunWithBinding(runOptions, binding);

        // This token's key/value replace the oldest ring entry, the one that leaves the window.
        int ring = (int)(current % slots);
        for (int lh = 0; lh < layers * heads; lh++)
        {
            newKeys.AsSpan(lh * headDim, headDim).CopyTo(pastKeys.AsSpan((lh * slots + ring) * headDim, headDim));
            newValues.AsSpan(lh * headDim, headDim).CopyTo(pastValues.AsSpan((lh * slots + ring) * headDim, headDim));
        }
        pastMask[ring] = 0;
        NextSlot = current + 1;
        return logits;
    }

    public void Dispose()
    {
        binding.Dispose();
        runOptions.Dispose();
        foreach (var v in values) v.Dispose();
    }
}
