using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;
using G = Distill.Runtime.Bundle.WorldGraphs.PriorStep;

namespace Distill.Runtime.Inference;

/// <summary>Logits of one batched prior step: <c>this[i]</c> belongs to the i-th voice the step was given. Valid
/// until the batch's next step.</summary>
public readonly ref struct PriorLogits
{
    readonly ReadOnlySpan<float> rows;
    readonly ReadOnlySpan<int> rowOf;

    internal PriorLogits(ReadOnlySpan<float> rows, ReadOnlySpan<int> rowOf, int vocabulary)
    {
        this.rows = rows; this.rowOf = rowOf;
        Vocabulary = vocabulary;
    }

    public int Vocabulary { get; }
    public int Count => rowOf.Length;
    public ReadOnlySpan<float> this[int voiceIndex] => rows.Slice(rowOf[voiceIndex] * Vocabulary, Vocabulary);
}

/// <summary>
/// The autoregressive prior of up to <see cref="Voices"/> voices, each with its own ring key/value cache and slot:
/// one <c>prior_step</c> call advances every voice given to <see cref="Step"/>, so the weights are read once for
/// all of them. Every input and output lives in a preallocated array, bound once, so a step allocates nothing. Each
/// ring keeps the last <see cref="PriorShape.CacheSlots"/> tokens of its voice, so generation slides past the
/// training context exactly like the trainer's sliding-window step.
/// <para>Each voice's cache is one row ("lane") of each buffer, and the graph reads a batch as a run of adjacent
/// lanes, bound once for every run. Voices that already lie in adjacent lanes, in any order, are stepped where they
/// are; others are first moved into lanes 0..b−1 (swapping caches). So a worker that steps the same set of voices,
/// or one voice alone (priming), never moves a cache.</para>
/// </summary>
public sealed class PriorBatch : IDisposable
{
    readonly InferenceSession session;
    readonly PriorShape shape;
    readonly int layers, cacheHeads, slots, headDim;
    readonly double[] inverseFrequency;
    readonly long[] previousToken, slot;
    readonly float[] ropeCos, ropeSin, pastMask, condition, logits, newKeys, newValues;
    readonly float[][] pastKeys, pastValues;   // per layer: [lanes, cacheHeads, slots, headDim]
    readonly long[] nextSlot;                   // per voice
    readonly int[] laneOf, voiceIn;             // voice → lane, lane → voice
    readonly int[] rowOf;                       // the last step's i-th voice → its row of the logits
    readonly List<OrtValue> values = new();
    readonly OrtIoBinding[][] bindings;         // [first lane][lanes − 1]
    readonly RunOptions runOptions = new();

    readonly int conditionLength;

    public int Voices { get; }
    public int Vocabulary { get; }

    public PriorBatch(InferenceSession session, PriorShape shape, int codebookSize, int voices)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(voices, 1);
        this.session = session; this.shape = shape; Vocabulary = codebookSize; Voices = voices;
        layers = shape.Layers; cacheHeads = shape.CacheHeads; slots = shape.CacheSlots; headDim = shape.HeadDim;
        int half = headDim / 2;
        inverseFrequency = new double[half];
        for (int i = 0; i < half; i++) inverseFrequency[i] = Math.Pow(shape.RopeBase, -2.0 * i / headDim);

        previousToken = new long[voices]; slot = new long[voices];
        ropeCos = new float[voices * half]; ropeSin = new float[voices * half];
        pastKeys = NewCaches(); pastValues = NewCaches();
        pastMask = new float[voices * slots];
        conditionLength = (int)session.InputMetadata[G.AnchorHistogram].Dimensions[1];
        condition = new float[voices * conditionLength];
        logits = new float[voices * codebookSize];
        newKeys = new float[voices * layers * cacheHeads * headDim]; newValues = new float[newKeys.Length];
        nextSlot = new long[voices];
        laneOf = Enumerable.Range(0, voices).ToArray(); voiceIn = Enumerable.Range(0, voices).ToArray();
        rowOf = new int[voices];
        bindings = Enumerable.Range(0, voices)
            .Select(first => Enumerable.Range(1, voices - first).Select(lanes => Bind(first, lanes)).ToArray())
            .ToArray();
        for (int v = 0; v < voices; v++) Reset(v);
    }

    float[][] NewCaches() =>
        Enumerable.Range(0, layers).Select(_ => new float[Voices * cacheHeads * slots * headDim]).ToArray();

    /// <summary>A binding of every input and output to lanes [<paramref name="first"/>, first + lanes) of its
    /// buffer.</summary>
    OrtIoBinding Bind(int first, int lanes)
    {
        var binding = session.CreateIoBinding();
        void Input<T>(string name, T[] buffer, params long[] dims) where T : unmanaged =>
            binding.BindInput(name, Lanes(buffer, first, lanes, dims));
        void Output(string name, float[] buffer, params long[] dims) =>
            binding.BindOutput(name, Lanes(buffer, first, lanes, dims));

        Input(G.PreviousToken, previousToken);
        Input(G.Slot, slot);
        Input(G.RopeCos, ropeCos, headDim / 2);
        Input(G.RopeSin, ropeSin, headDim / 2);
        for (int l = 0; l < layers; l++)
        {
            Input(G.PastKeys(l), pastKeys[l], cacheHeads, slots, headDim);
            Input(G.PastValues(l), pastValues[l], cacheHeads, slots, headDim);
        }
        Input(G.PastMask, pastMask, slots);
        Input(G.AnchorHistogram, condition, conditionLength);
        Output(G.Logits, logits, Vocabulary);
        Output(G.NewKeys, newKeys, layers, cacheHeads, 1, headDim);
        Output(G.NewValues, newValues, layers, cacheHeads, 1, headDim);
        return binding;
    }

    /// <summary>A tensor [lanes, ..laneDims] over lanes [first, first + lanes) of <paramref name="buffer"/>, kept
    /// for disposal.</summary>
    OrtValue Lanes<T>(T[] buffer, int first, int lanes, long[] laneDims) where T : unmanaged
    {
        int laneLength = buffer.Length / Voices;
        var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                                                         buffer.AsMemory(first * laneLength, lanes * laneLength),
                                                         [lanes, .. laneDims]);
        values.Add(value);
        return value;
    }

    /// <summary>The <c>anchor_histogram</c> <paramref name="voice"/>'s steps read (levels · codebook; zeros = no
    /// anchor). Valid until the next <see cref="Step"/>, which may move the voice to another lane (its condition
    /// moves with it).</summary>
    public Span<float> Condition(int voice) => condition.AsSpan(laneOf[voice] * conditionLength, conditionLength);

    /// <summary>Absolute index of the slot the next step of <paramref name="voice"/> predicts.</summary>
    public long NextSlot(int voice) => nextSlot[voice];

    /// <summary>Forgets every token of <paramref name="voice"/>: its next step predicts slot 0.</summary>
    public void Reset(int voice)
    {
        pastMask.AsSpan(laneOf[voice] * slots, slots).Fill(G.EmptySlot);
        nextSlot[voice] = 0;
    }

    /// <summary>One token for each of <paramref name="voices"/> (distinct), given the code of the slot before its
    /// <see cref="NextSlot"/> (ignored at slot 0): <c>result[i]</c> is the logits of voices[i].</summary>
    public PriorLogits Step(scoped ReadOnlySpan<int> voices, scoped ReadOnlySpan<long> previousCodes)
    {
        int batch = voices.Length;
        if (batch == 0 || batch > Voices || previousCodes.Length != batch)
            throw new ArgumentException($"1..{Voices} voices, one previous code each.");
        for (int i = 0; i < batch; i++)
            if ((uint)voices[i] >= (uint)Voices || voices[..i].Contains(voices[i]))
                throw new ArgumentException($"Voice {voices[i]} is not one of 0..{Voices - 1} or is given twice.");

        int first = FirstOfAdjacentLanes(voices);
        if (first < 0)
        {
            for (int i = 0; i < batch; i++) MoveToLane(voices[i], i);
            first = 0;
        }
        for (int i = 0; i < batch; i++)
        {
            int voice = voices[i], lane = laneOf[voice];
            previousToken[lane] = previousCodes[i];
            slot[lane] = nextSlot[voice];
            SetRotaryAngles(lane, nextSlot[voice]);
            rowOf[i] = lane - first;
        }
        session.RunWithBinding(runOptions, bindings[first][batch - 1]);
        foreach (int voice in voices) StoreNewEntries(laneOf[voice], voice);
        return new PriorLogits(logits.AsSpan(first * Vocabulary, batch * Vocabulary), rowOf.AsSpan(0, batch),
                               Vocabulary);
    }

    /// <summary>The first lane of the distinct <paramref name="voices"/> if their lanes are adjacent, else −1.</summary>
    int FirstOfAdjacentLanes(ReadOnlySpan<int> voices)
    {
        int first = int.MaxValue, last = -1;
        foreach (int voice in voices)
        {
            first = Math.Min(first, laneOf[voice]);
            last = Math.Max(last, laneOf[voice]);
        }
        return last - first + 1 == voices.Length ? first : -1;
    }

    /// <summary>Cos/sin of the token's time step for the lane, in double so hour-long sessions keep their
    /// precision.</summary>
    void SetRotaryAngles(int lane, long current)
    {
        int half = inverseFrequency.Length;
        double time = current / shape.TokensPerStep;
        for (int i = 0; i < half; i++)
        {
            double angle = time * inverseFrequency[i];
            ropeCos[lane * half + i] = (float)Math.Cos(angle);
            ropeSin[lane * half + i] = (float)Math.Sin(angle);
        }
    }

    /// <summary>The lane's new key/value replace the oldest entry of its ring, the one that leaves the window.</summary>
    void StoreNewEntries(int lane, int voice)
    {
        long current = nextSlot[voice];
        int ring = (int)(current % slots);
        for (int l = 0; l < layers; l++)
        for (int h = 0; h < cacheHeads; h++)
        {
            int from = ((lane * layers + l) * cacheHeads + h) * headDim, to = ((lane * cacheHeads + h) * slots + ring) * headDim;
            newKeys.AsSpan(from, headDim).CopyTo(pastKeys[l].AsSpan(to, headDim));
            newValues.AsSpan(from, headDim).CopyTo(pastValues[l].AsSpan(to, headDim));
        }
        pastMask[lane * slots + ring] = 0;
        nextSlot[voice] = current + 1;
    }

    /// <summary>Swaps <paramref name="voice"/>'s cache with whatever occupies <paramref name="lane"/>.</summary>
    void MoveToLane(int voice, int lane)
    {
        int from = laneOf[voice];
        if (from == lane) return;
        int cacheLength = cacheHeads * slots * headDim;
        for (int l = 0; l < layers; l++)
        {
            SwapRanges(pastKeys[l], from * cacheLength, lane * cacheLength, cacheLength);
            SwapRanges(pastValues[l], from * cacheLength, lane * cacheLength, cacheLength);
        }
        SwapRanges(pastMask, from * slots, lane * slots, slots);
        SwapRanges(condition, from * conditionLength, lane * conditionLength, conditionLength);
        int other = voiceIn[lane];
        (laneOf[voice], laneOf[other]) = (lane, from);
        (voiceIn[lane], voiceIn[from]) = (voice, other);
    }

    static void SwapRanges(float[] buffer, int a, int b, int length)
    {
        var x = buffer.AsSpan(a, length);
        var y = buffer.AsSpan(b, length);
        for (int i = 0; i < length; i++) (x[i], y[i]) = (y[i], x[i]);
    }

    public void Dispose()
    {
        foreach (var binding in bindings.SelectMany(b => b)) binding.Dispose();
        runOptions.Dispose();
        foreach (var v in values) v.Dispose();
    }
}
