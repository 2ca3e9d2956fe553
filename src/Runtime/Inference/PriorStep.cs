using Distill.Runtime.Bundle;
using Microsoft.ML.OnnxRuntime;

namespace Distill.Runtime.Inference;

/// <summary>
/// One voice's autoregressive prior, token by token: a voice of a <see cref="PriorBatch"/> stepped alone. Made
/// from a session it owns a batch of one; made from a batch it is a view on one of its voices. Allocates nothing
/// per step.
/// </summary>
public sealed class PriorStep : IDisposable
{
    readonly PriorBatch batch;
    readonly int voice;
    readonly bool ownsBatch;

    public PriorStep(InferenceSession session, PriorShape shape, int codebookSize)
        : this(new PriorBatch(session, shape, codebookSize, voices: 1), voice: 0, ownsBatch: true)
    {
    }

    /// <summary>Voice <paramref name="voice"/> of <paramref name="batch"/>, which stays the caller's.</summary>
    public PriorStep(PriorBatch batch, int voice) : this(batch, voice, ownsBatch: false)
    {
    }

    PriorStep(PriorBatch batch, int voice, bool ownsBatch)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)voice, (uint)batch.Voices, nameof(voice));
        this.batch = batch; this.voice = voice; this.ownsBatch = ownsBatch;
    }

    /// <summary>The batch this voice belongs to, and its index there (for stepping it with others).</summary>
    public PriorBatch Batch => batch;
    public int Voice => voice;

    /// <summary>Absolute index of the slot the next <see cref="Step"/> predicts.</summary>
    public long NextSlot => batch.NextSlot(voice);

    public int Vocabulary => batch.Vocabulary;

    /// <summary>The <c>anchor_histogram</c> this voice's steps read (levels · codebook; zeros = no anchor): the caller
    /// writes it before stepping (<see cref="Engine.AnchorCondition"/>); <see cref="Reset"/> keeps it.</summary>
    public Span<float> Condition => batch.Condition(voice);

    /// <summary>Forgets every token: the next step predicts slot 0.</summary>
    public void Reset() => batch.Reset(voice);

    /// <summary>Logits for slot <see cref="NextSlot"/> given the code of the slot before it (ignored at slot 0).
    /// The span is valid until the batch's next step.</summary>
    public ReadOnlySpan<float> Step(long previousCode) =>
        batch.Step(new ReadOnlySpan<int>(in voice), new ReadOnlySpan<long>(in previousCode))[0];

    public void Dispose()
    {
        if (ownsBatch) batch.Dispose();
    }
}
