using Distill.Runtime.Inference;
using Distill.Runtime.Sampling;

namespace Distill.Runtime.Engine;

/// <summary>
/// One voice's codes, a time step at a time: the first <see cref="PrimeSteps"/> steps are the anchor's own
/// codes (the note starts as the recorded sound), after which each token is, with probability
/// <see cref="GenerationControls.Variation"/>, drawn from the prior and otherwise copied from the anchor
/// (looping) — so variation 0 replays the anchor exactly and 1 lets the prior run free. The prior sees every
/// token either way, so moving the control mid-note stays coherent. Without a prior the stream only replays
/// the anchor (pre-rendered openings need nothing else). Keeps the last <see cref="HistorySteps"/> steps for
/// the decoder.
/// <para>The prior reads the primed tokens lazily — when the first step is sampled, or earlier through
/// <see cref="AskPrime"/> in the worker's idle time — so a chord's note-ons cost no prior work at all; the
/// prior's state depends only on the tokens it reads, not on when.</para>
/// </summary>
public sealed class CodeStream
{
    /// <summary>1.4 s of the anchor before the prior may vary it: enough context for the prior, and it covers the
    /// pre-rendered opening, so a note starts without waiting for the prior.</summary>
    public const int PrimeSteps = 8;
    readonly PriorStep? prior;
    readonly TokenSampler sampler;
    readonly int tokensPerStep, levels, codebookSize;
    readonly long[] history;
    long[] anchor = [];
    int anchorSteps;
    AnchorCondition? condition;
    Pcg32 choice;
    long fed;        // tokens the prior has read
    long previous;   // the last of them
    long primeTarget; // the prior reads the primed opening up to this token
    int target;      // Decided grows to this as the prior's reads come in

    public int HistorySteps { get; }
    /// <summary>Time steps generated so far.</summary>
    public int Steps { get; private set; }

    public CodeStream(PriorStep? prior, int codebookSize, int tokensPerStep, int levels, int historySteps = 64)
    {
        this.prior = prior; this.tokensPerStep = tokensPerStep; this.levels = levels; this.codebookSize = codebookSize;
        HistorySteps = historySteps;
        history = new long[historySteps * tokensPerStep];
        sampler = new TokenSampler(codebookSize, 1);
    }

    /// <summary>Starts over from an anchor (tokens flattened time → frequency → level); the prior is told which
    /// sound it continues by <paramref name="anchorCondition"/> (the anchor's and the morph target's histograms,
    /// blended by morph; null: unconditioned).</summary>
    public void Start(long[] anchorTokens, int timeSteps, ulong seed, AnchorCondition? anchorCondition = null)
    {
        anchor = anchorTokens; anchorSteps = timeSteps; condition = anchorCondition;
        sampler.Reseed(seed);
        choice = new Pcg32(seed, stream: 7);
        prior?.Reset();
        fed = previous = primeTarget = 0;
        Steps = Decided = target = 0;
    }

    /// <summary>Tokens of step <see cref="Steps"/> decided so far (the step being generated).</summary>
    public int Decided { get; private set; }

    /// <summary>Decides tokens of step <see cref="Steps"/> until <paramref name="tokens"/> of them are, each with the
    /// controls in force now: the engine spreads a step's tokens over the step before it, so a control change reaches
    /// the very next token and the prior's work comes in small, even portions.</summary>
    public void Decide(int tokens, in GenerationControls controls)
    {
        Ask(tokens, controls);
        while (Reading) Read(prior!.Step(previous), controls);
    }

    /// <summary>Asks for tokens of step <see cref="Steps"/> to be decided until <paramref name="tokens"/> of them are:
    /// those that need no prior are decided at once, the rest (after the primed opening, if the prior has not read it
    /// yet) wait for the prior's reads — <see cref="Read"/> while <see cref="Reading"/>, each given the logits of a
    /// prior step on <see cref="PreviousCode"/>, alone (<see cref="Decide"/>) or batched with other voices.</summary>
    public void Ask(int tokens, in GenerationControls controls)
    {
        target = Math.Min(tokens, tokensPerStep);
        if (Decided >= target) return;
        if (prior is null || Steps < PrimeSteps)
        {
            AnchorStep(Steps)[Decided..target].CopyTo(CurrentStep[Decided..]);
            Decided = target;
            return;
        }
        primeTarget = PrimedTokens;
        ApplyCondition(controls);
    }

    /// <summary>Asks the prior to read up to <paramref name="tokens"/> more of the tokens already decided (the primed
    /// opening) — ahead of need, in idle time: the prior's state depends only on the tokens it reads, not on when.
    /// Returns whether there are any.</summary>
    public bool AskPrime(long tokens)
    {
        if (prior is null) return false;
        primeTarget = Math.Min(PrimedTokens, fed + tokens);
        if (fed >= primeTarget) return false;
        condition?.Apply(0, prior.Condition);
        return true;
    }

    /// <summary>Whether the stream waits for a prior read.</summary>
    public bool Reading => fed < primeTarget || Decided < target;

    /// <summary>The code the next prior read is to be given (the prior's <c>previous_token</c>).</summary>
    public long PreviousCode => previous;

    /// <summary>The prior whose steps <see cref="Read"/> takes (null: the stream only replays its anchor).</summary>
    internal PriorStep? Prior => prior;

    /// <summary>Takes one prior read, the logits of a step on <see cref="PreviousCode"/>: the primed opening's
    /// (discarded), or the next token's, drawn with probability <see cref="GenerationControls.Variation"/> among the
    /// codes of the sound it continues (the condition's blend: morph opens the target's), otherwise the anchor's.</summary>
    public void Read(ReadOnlySpan<float> logits, in GenerationControls controls)
    {
        if (fed < primeTarget)
        {
            previous = anchor[fed % ((long)anchorSteps * tokensPerStep)];
            if (++fed == primeTarget) ApplyCondition(controls);
            return;
        }
        int j = Decided;
        long code = AnchorStep(Steps)[j];
        if (choice.NextDouble() < controls.Variation)
            code = sampler.Sample(logits, controls.Sampling, controls.LevelScale(j % levels, levels),
                                  condition is null ? default : prior!.Condition.Slice(j % levels * codebookSize, codebookSize));
        CurrentStep[j] = code;
        previous = code;
        fed++;
        Decided++;
    }

    /// <summary>The condition the next prior step reads: the primed opening is read under the anchor's own histogram,
    /// decisions under the blend morph asks for.</summary>
    void ApplyCondition(in GenerationControls controls) =>
        condition?.Apply(fed < primeTarget ? 0 : controls.Morph, prior!.Condition);

    /// <summary>Tokens of the anchor's opening the prior reads before any it decides.</summary>
    long PrimedTokens => (long)Math.Min(Steps, PrimeSteps) * tokensPerStep;

    Span<long> CurrentStep => history.AsSpan(Steps % HistorySteps * tokensPerStep, tokensPerStep);

    /// <summary>Whether step <paramref name="step"/> (one of the last <see cref="HistorySteps"/>) holds the anchor's own
    /// codes for that time.</summary>
    public bool IsAnchorsOwn(int step) => HistoryStep(step).SequenceEqual(AnchorStep(step));

    /// <summary>Puts the anchor's own codes of step <paramref name="anchorStep"/> in place of step
    /// <paramref name="step"/>'s (one of the last <see cref="HistorySteps"/>); returns whether any differed. The prior
    /// keeps what it read.</summary>
    public bool ReplayAnchor(int step, int anchorStep)
    {
        var codes = HistoryStep(step);
        var own = AnchorStep(anchorStep);
        if (codes.SequenceEqual(own)) return false;
        own.CopyTo(codes);
        return true;
    }

    /// <summary>Completes the step being generated and moves on to the next.</summary>
    public void Next(in GenerationControls controls)
    {
        Decide(tokensPerStep, controls);
        Steps++;
        Decided = target = 0;
    }

    /// <summary>The anchor's own codes at time step <paramref name="step"/> (looping).</summary>
    public ReadOnlySpan<long> AnchorStep(int step) => anchor.AsSpan(step % anchorSteps * tokensPerStep, tokensPerStep);

    /// <summary>Codes of time step <paramref name="step"/> (one of the last <see cref="HistorySteps"/>).</summary>
    public ReadOnlySpan<long> Step(int step) => HistoryStep(step);

    Span<long> HistoryStep(int step)
    {
        if (step >= Steps || step < Steps - HistorySteps) throw new ArgumentOutOfRangeException(nameof(step));
        return history.AsSpan(step % HistorySteps * tokensPerStep, tokensPerStep);
    }
}
