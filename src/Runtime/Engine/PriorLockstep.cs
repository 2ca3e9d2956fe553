using Distill.Runtime.Inference;

namespace Distill.Runtime.Engine;

/// <summary>
/// The prior reads of several voices of one world, done together: each round advances every code stream that waits
/// for a read in one <c>prior_step</c> call, so the weights are read once for all of them (the prior is bound by
/// memory, not arithmetic). A batched step gives each voice exactly the logits it gets alone, and each stream draws
/// from its own generators, so batching never changes a note. Allocates nothing.
/// </summary>
public sealed class PriorLockstep
{
    readonly PriorBatch batch;
    readonly int[] voices;
    readonly long[] previous;
    readonly CodeStream[] reading;

    public PriorLockstep(PriorBatch batch)
    {
        this.batch = batch;
        voices = new int[batch.Voices];
        previous = new long[batch.Voices];
        reading = new CodeStream[batch.Voices];
    }

    /// <summary>Does every read the <paramref name="streams"/> ask for (<see cref="CodeStream.Ask"/>,
    /// <see cref="CodeStream.AskPrime"/>), with the controls in force now. Each stream's prior must be a voice of this
    /// lockstep's batch, each voice given once.</summary>
    public void Read(ReadOnlySpan<CodeStream> streams, in GenerationControls controls)
    {
        foreach (var s in streams)
            if (s.Prior is { } p && p.Batch != batch)
                throw new ArgumentException("A code stream's prior is not a voice of this batch.", nameof(streams));
        while (true)
        {
            int n = 0;
            foreach (var s in streams)
            {
                if (!s.Reading) continue;
                voices[n] = s.Prior!.Voice;
                previous[n] = s.PreviousCode;
                reading[n++] = s;
            }
            if (n == 0) return;
            var logits = batch.Step(voices.AsSpan(0, n), previous.AsSpan(0, n));
            for (int i = 0; i < n; i++) reading[i].Read(logits[i], controls);
        }
    }
}
