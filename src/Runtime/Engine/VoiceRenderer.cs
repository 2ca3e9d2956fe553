using System.Numerics;
using System.Numerics.Tensors;
using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Inference;

namespace Distill.Runtime.Engine;

/// <summary>
/// Codes → audio for one voice at the model rate, one hop at a time: each time step of the code stream is decoded
/// once, when the read position first needs it, continuing the decoder's carried state (it is causal, so nothing
/// waits for later codes), into magnitude frames, which are read at a fractional position advancing by the step
/// rate (interpolated, so time stretches without changing pitch; freeze holds it) and turned into samples by
/// streaming phase reconstruction. <see cref="Render"/> returns output frame k = 0, 1, 2, … — the reconstructor's
/// look-ahead is primed at <see cref="Start"/>.
/// </summary>
public sealed class VoiceRenderer : IDisposable
{
    /// <summary>Output hops no judged level holds: the first step's, the decoder warming up from silence.</summary>
    public const int KeeperSkipBlocks = WorldGraphs.FramesPerStep;

    /// <summary>The quietest and loudest of a sound's short-term levels, and its quietest second, measured as this
    /// renderer's <see cref="LevelRangeKeeper"/> measures a note (its windows of hops, the first step's left out but for
    /// the loudest): of a clip, the range a note on it is kept in; of a replay, the range it plays in.</summary>
    public static AnchorLevels LevelRange(ReadOnlySpan<float> audio, double sampleRate, int hop)
    {
        var levels = LevelRangeKeeper.WindowLevelsDb(audio, sampleRate, hop, KeeperSkipBlocks);
        var seconds = LevelRangeKeeper.WindowLevelsDb(audio, sampleRate, hop, KeeperSkipBlocks,
                                                      LevelRangeKeeper.LongWindowSeconds);
        // The loudest counts the first step too: a one-shot strikes there, and a range topped by its decay would cut
        // every later strike down to it.
        var withFirstStep = LevelRangeKeeper.WindowLevelsDb(audio, sampleRate, hop, skipBlocks: 0);
        return new AnchorLevels(levels.Min(), Math.Max(levels.Max(), withFirstStep.Max()), seconds.Min());
    }
    /// <summary>How far below its clip's quietest second a note's last second may sink, by its decoded codes, before
    /// they are judged a lull: the generation goals' tolerance. The output's level keeper lifts a shallow lull back, but
    /// not near silence, which only other codes end (at 6 dB, the demo world kept 40 of its 48 notes within their clips'
    /// 1 s levels, against 42).</summary>
    public const double LullBelowQuietestSecondDb = 3;
    /// <summary>Decoded frames kept for the read position: the step being read and the one after it.</summary>
    const int RingFrames = 2 * WorldGraphs.FramesPerStep + 2;
    readonly CodeStream codes;
    readonly AnchorCondition condition;
    readonly PriorStep? prior;
    readonly StreamingDecoder decoder;
    readonly StreamingPhaseReconstructor phase;
    readonly OutputHighPass highPass;   // DC and infrasound off each voice's output
    readonly LevelRangeKeeper levelKeeper; // the note within its anchor's levels
    readonly LevelGuard level;
    readonly SpectrumGuard spectrum;
    readonly int bins, tokensPerStep;
    readonly float[] decoded;   // ring of decoded magnitude frames, [frame mod RingFrames][bin]
    readonly float[] frame, discard;
    readonly MelBandGains spectrumGains; // the anchors' spectrum corrections, drawn through every bin
    readonly double[] spectrumDb;
    readonly float[] binGains;
    long[] morphAnchor = [];
    int morphSteps;
    double anchorGainDb, morphGainDb; // the anchors' own gains (AnchorTokens.GainDb), blended by morph
    AnchorLevels? anchorLevels, morphLevels; // their levels, blended the same way
    AnchorSpectrum? anchorSpectrum, morphSpectrum; // their spectrum corrections, blended the same way
    float gainsVariation, gainsMorph;   // the controls binGains were drawn for (NaN: not yet)
    double decodedToOutputDb;   // see Judge; NaN until measured
    long decodedFrames;         // frames [0, decodedFrames) have been decoded
    double position;            // read position in decoded frames

    public int Hop { get; }
    public CodeStream Codes => codes;
    /// <summary>The magnitude frame last pushed into phase reconstruction (for tests and meters).</summary>
    internal ReadOnlySpan<float> LastFrame => frame;
    /// <summary>Frames of look-ahead inside phase reconstruction: render k pushed frame k + this.</summary>
    public int LatencyFrames => phase.LatencyFrames;

    /// <param name="generative">false: replay anchors only, without the prior (for pre-rendered openings).</param>
    public VoiceRenderer(WorldModels models, bool generative = true)
        : this(models, generative ? new PriorStep(models.Prior, models.Manifest.Prior,
                                                  models.Manifest.Quantizer.CodebookSize) : null)
    {
    }

    /// <summary>A voice whose prior is voice <paramref name="voice"/> of <paramref name="priors"/>, so its reads can
    /// be batched with the other voices' (<see cref="PriorLockstep"/>).</summary>
    public VoiceRenderer(WorldModels models, PriorBatch priors, int voice) : this(models, new PriorStep(priors, voice))
    {
    }

    VoiceRenderer(WorldModels models, PriorStep? prior)
    {
        var m = models.Manifest;
        bins = m.Audio.NFft / 2 + 1;
        Hop = m.Audio.Hop;
        tokensPerStep = m.Prior.TokensPerStep;
        this.prior = prior;
        codes = new CodeStream(prior, m.Quantizer.CodebookSize, tokensPerStep, m.Quantizer.Levels);
        condition = new AnchorCondition(m.Quantizer.Levels, m.Quantizer.CodebookSize);
        decoder = new StreamingDecoder(models.Decoder, m, steps: 1);
        phase = new StreamingPhaseReconstructor(m.Audio.NFft, m.Audio.Hop);
        highPass = new OutputHighPass(m.Audio.SampleRate);
        levelKeeper = new LevelRangeKeeper(m.Audio.SampleRate, Hop, KeeperSkipBlocks);
        spectrum = new SpectrumGuard(m.Audio.SampleRate, m.Audio.NFft, CodeStream.PrimeSteps);
        int windowsPerSecond = (int)Math.Round((double)m.Audio.SampleRate / (Hop * LevelGuard.WindowFrames));
        level = new LevelGuard(CodeStream.PrimeSteps * WorldGraphs.FramesPerStep / LevelGuard.WindowFrames,
                               windowsPerSecond);
        decoded = new float[RingFrames * bins];
        frame = new float[bins];
        discard = new float[Hop];
        var bands = Evaluation.MelPowerSpectrogram.Features;
        spectrumGains = new MelBandGains(m.Audio.SampleRate, m.Audio.NFft, bands.Mels, bands.FMin, bands.FMax);
        spectrumDb = new double[bands.Mels];
        binGains = new float[bins];
    }

    /// <summary>An anchor's codes played through this renderer from silence for their whole length, with variation 0 —
    /// exactly the codes given, as a note on the anchor sounds (its gain included).</summary>
    public static float[] Replay(WorldModels models, AnchorTokens anchor) =>
        Play(models, anchor, GenerationControls.Defaults with { Variation = 0 }, anchor.TimeSteps, seed: 0);

    /// <summary>A note on <paramref name="anchor"/> (no morph) played through a renderer of its own from silence for
    /// <paramref name="steps"/> time steps with unchanging controls; at variation 0 without the prior.</summary>
    public static float[] Play(WorldModels models, AnchorTokens anchor, GenerationControls controls, int steps,
                               ulong seed)
    {
        using var renderer = new VoiceRenderer(models, generative: controls.Variation > 0);
        renderer.Start(anchor, anchor, seed, controls);
        var audio = new float[steps * WorldGraphs.FramesPerStep * renderer.Hop];
        for (int at = 0; at < audio.Length; at += renderer.Hop)
            renderer.Render(controls, audio.AsSpan(at, renderer.Hop));
        return audio;
    }

    /// <summary>Starts a note: codes from <paramref name="anchor"/>, morphing
    /// toward <paramref name="morphTarget"/>.</summary>
    public void Start(AnchorTokens anchor, AnchorTokens morphTarget, ulong seed, in GenerationControls controls)
    {
        condition.Start(anchor, morphTarget);
        codes.Start(anchor.Tokens, anchor.TimeSteps, seed, condition);
        morphAnchor = morphTarget.Tokens; morphSteps = morphTarget.TimeSteps;
        anchorGainDb = anchor.GainDb; morphGainDb = morphTarget.GainDb;
        anchorLevels = anchor.Levels; morphLevels = morphTarget.Levels;
        anchorSpectrum = anchor.Spectrum; morphSpectrum = morphTarget.Spectrum;
        gainsVariation = gainsMorph = float.NaN;
        decodedFrames = 0;
        decodedToOutputDb = double.NaN;
        position = 0;
        decoder.Reset();
        phase.Reset();
        highPass.Reset();
        levelKeeper.Reset();
        level.Reset();
        spectrum.Reset();
        for (int i = 0; i < phase.LatencyFrames; i++) Advance(controls, discard);
    }

    /// <summary>The next hop of output samples.</summary>
    public void Render(in GenerationControls controls, Span<float> output) => Advance(controls, output);

    /// <summary>Asks the code stream for the tokens the next <see cref="Render"/> decides — all of the next step's if
    /// it decodes it, else the hop's share of the step ahead — so their prior reads can be done first, batched with
    /// other voices'. Changes nothing <see cref="Render"/> produces: the same tokens, with the same controls.</summary>
    public void Ask(in GenerationControls controls)
    {
        if (decodedFrames < FramesNeeded())
        {
            if (codes.Steps == decodedFrames / WorldGraphs.FramesPerStep) codes.Ask(tokensPerStep, controls);
        }
        else if (TokensAhead() is int tokens and >= 0) codes.Ask(tokens, controls);
    }

    /// <summary>Decoded frames the read position needs: its frame, and the next one when it lies between them.</summary>
    long FramesNeeded()
    {
        int i = (int)position;
        return (float)(position - i) > 0 ? i + 2 : i + 1;
    }

    void Advance(in GenerationControls controls, Span<float> output)
    {
        int i = (int)position;
        float a = (float)(position - i);
        // A step is decoded only when the read position reaches it, so its codes see the latest controls.
        while (decodedFrames < FramesNeeded()) DecodeNextStep(controls);
        if (TokensAhead() is int tokens and >= 0) codes.Decide(tokens, controls);
        var f0 = decoded.AsSpan(i % RingFrames * bins, bins);
        if (a > 0)
        {
            var f1 = decoded.AsSpan((i + 1) % RingFrames * bins, bins);
            Interpolate(f0, f1, a, frame);
        }
        else f0.CopyTo(frame);
        // Both anchors' spectrum corrections, or none (a world made before anchors had them); a frame keeps its power.
        if (anchorSpectrum is { } fromSpectrum && morphSpectrum is { } toSpectrum)
        {
            DrawSpectrumGains(fromSpectrum, toSpectrum, controls.Variation, controls.Morph);
            MelBandGains.Reshape(frame, binGains);
        }
        phase.Push(frame, output);
        highPass.Process(output);
        float morph = controls.Morph;
        double Blend(double anchor, double target) => anchor + morph * (target - anchor);
        double gainDb = Blend(anchorGainDb, morphGainDb);
        if (gainDb != 0) TensorPrimitives.Multiply(output, (float)Math.Pow(10, gainDb / 20), output);
        // Both anchors' levels, or none (a world made before anchors had them): morph blends them like the gains.
        if (anchorLevels is { } from && morphLevels is { } to)
            levelKeeper.Process(output, Blend(from.QuietestDb, to.QuietestDb), Blend(from.LoudestDb, to.LoudestDb),
                                QuietestSecondDb(morph) ?? double.NegativeInfinity);
        if (!controls.Freeze) position += controls.StepRate;
    }

    /// <summary>Each anchor's correction blended from its replay's to its notes' by variation, the two anchors' by
    /// morph, drawn through every bin (again only when either control has moved).</summary>
    void DrawSpectrumGains(AnchorSpectrum from, AnchorSpectrum to, float variation, float morph)
    {
        if (variation == gainsVariation && morph == gainsMorph) return;
        for (int b = 0; b < spectrumDb.Length; b++)
        {
            double a = from.ReplayDb[b] + variation * (from.NoteDb[b] - from.ReplayDb[b]);
            double t = to.ReplayDb[b] + variation * (to.NoteDb[b] - to.ReplayDb[b]);
            spectrumDb[b] = a + morph * (t - a);
        }
        spectrumGains.Apply(spectrumDb, binGains);
        (gainsVariation, gainsMorph) = (variation, morph);
    }

    /// <summary>The anchors' quietest seconds blended by morph (null: a world made before anchors had them).</summary>
    double? QuietestSecondDb(float morph) =>
        anchorLevels?.QuietestSecondDb is double from && morphLevels?.QuietestSecondDb is double to
            ? from + morph * (to - from) : null;

    /// <summary>result = f0 + a·(f1 − f0), a vector's width at a time (element-wise: the same bits at any width).</summary>
    static void Interpolate(ReadOnlySpan<float> f0, ReadOnlySpan<float> f1, float a, Span<float> result)
    {
        int width = Vector<float>.Count, k = 0;
        var va = new Vector<float>(a);
        for (; k <= result.Length - width; k += width)
        {
            var v0 = new Vector<float>(f0[k..]);
            (v0 + va * (new Vector<float>(f1[k..]) - v0)).CopyTo(result[k..]);
        }
        for (; k < result.Length; k++) result[k] = f0[k] + a * (f1[k] - f0[k]);
    }

    /// <summary>How many of the next step's tokens are due: in proportion to how far the read position has come from
    /// the last decode toward the one that needs them, so each is decided with the controls of its moment (−1: the
    /// step being generated is not the next one).</summary>
    int TokensAhead()
    {
        long next = decodedFrames / WorldGraphs.FramesPerStep;
        if (codes.Steps != next) return -1;
        double progress = (position - (decodedFrames - WorldGraphs.FramesPerStep)) / WorldGraphs.FramesPerStep;
        return (int)Math.Ceiling(Math.Clamp(progress, 0, 1) * tokensPerStep);
    }

    /// <summary>Decodes the next time step with the controls in force now, generating its codes first.</summary>
    void DecodeNextStep(in GenerationControls controls)
    {
        int step = (int)(decodedFrames / WorldGraphs.FramesPerStep);
        while (codes.Steps <= step) codes.Next(controls);
        codes.Step(step).CopyTo(decoder.Codes);
        morphAnchor.AsSpan(step % morphSteps * tokensPerStep, tokensPerStep).CopyTo(decoder.MorphCodes);
        decoder.Morph[0] = controls.Morph;
        StreamingDecoder.DepthToGains(controls.Depth, decoder.LevelGain);
        decoder.Run();
        if (step < CodeStream.PrimeSteps)
        {
            // The first step is the decoder warming up from silence, not the anchor's level or spectrum; but a one-shot's
            // strike is there, so its loudness counts.
            if (step > 0)
            {
                level.Learn(decoder.Magnitude, bins);
                spectrum.Learn(decoder.Magnitude);
            }
            else level.LearnLoudness(decoder.Magnitude);
        }
        else Judge(step, controls.Morph);
        for (int f = 0; f < WorldGraphs.FramesPerStep; f++)
            decoder.Magnitude.Slice(f * bins, bins)
                   .CopyTo(decoded.AsSpan((int)((decodedFrames + f) % RingFrames) * bins, bins));
        decodedFrames += WorldGraphs.FramesPerStep;
    }

    /// <summary>A step that leaves the anchor's range is never heard: it is decoded again from the anchor's own codes
    /// (its step at that time; in a lull, its opening's loudest), from the same carried state. The prior goes on
    /// sampling with the controls in force (a forced replay would mute every control for its length), drawing among the
    /// anchor's codes.</summary>
    void Judge(int step, float morph)
    {
        // The output's level over the decoded magnitudes' power, measured once, over the opening's last second when the
        // first generated step is judged (the anchor's gain and phase reconstruction's loss both in it), maps the
        // clip's quietest second to a floor the level guard can judge a step by before it is heard.
        if (!double.IsFinite(decodedToOutputDb))
            decodedToOutputDb = levelKeeper.LastSecondDb - 10 * Math.Log10(level.HeardSecondPower);
        double secondFloor = QuietestSecondDb(morph) is double quietest && double.IsFinite(decodedToOutputDb)
            ? Math.Pow(10, (quietest - LullBelowQuietestSecondDb - decodedToOutputDb) / 10) : 0;
        // Both guards judge (no short circuit): each keeps the step it judged unless it is replaced.
        bool strays = level.Strays(decoder.Magnitude, bins, secondFloor) | spectrum.Strays(decoder.Magnitude);
        // A lull is broken by the opening's loudest step (a one-shot's strike), not the anchor's step at this time,
        // which in a one-shot's decay is as quiet; the anchor's own quiet stretch, replayed, is no lull.
        bool lull = level.SecondTooQuiet && !codes.IsAnchorsOwn(step);
        if (strays && codes.ReplayAnchor(step, lull ? level.LoudestLearnt : step))
        {
            codes.Step(step).CopyTo(decoder.Codes);
            decoder.RunAgain();
            spectrum.Keep(decoder.Magnitude);
            level.Keep(decoder.Magnitude, bins);
        }
        else
        {
            spectrum.KeepJudged();
            level.KeepJudged();
        }
    }

    public void Dispose()
    {
        decoder.Dispose();
        prior?.Dispose();
    }
}
