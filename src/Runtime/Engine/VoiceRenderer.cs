using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Inference;

namespace Distill.Runtime.Engine;

/// <summary>How the decoder runs over a stream: windows of <see cref="Left"/> + <see cref="Output"/> +
/// <see cref="Right"/> time steps, of which the middle <see cref="Output"/> steps are kept. Context on both
/// sides makes the kept frames match a decode of the whole sequence (the convolutions see the same
/// neighbours); the right context is look-ahead the code stream must have generated. Four steps each side
/// cover the decoder's receptive field: the kept frames equal the whole-sequence decode exactly (three leave
/// errors of ~0.08 in log magnitude; tested).</summary>
public readonly record struct DecoderLayout(int Left, int Output, int Right)
{
    public static DecoderLayout Default => new(4, 4, 4);
    public int Window => Left + Output + Right;
}

/// <summary>
/// Codes → audio for one voice at the model rate, one hop at a time: the code stream is decoded in overlapping
/// windows into magnitude frames, which are read at a fractional position advancing by the step rate
/// (interpolated, so time stretches without changing pitch; freeze holds it) and turned into samples by
/// streaming phase reconstruction. <see cref="Render"/> returns output frame k = 0, 1, 2, … — the
/// reconstructor's look-ahead is primed at <see cref="Start"/>.
/// </summary>
public sealed class VoiceRenderer : IDisposable
{
    readonly CodeStream codes;
    readonly PriorStep? prior;
    readonly DecoderWindow decoder;
    readonly StreamingPhaseReconstructor phase;
    readonly OutputHighPass highPass;   // DC and infrasound off each voice's output
    readonly DecoderLayout layout;
    readonly int bins, tokensPerStep;
    readonly float[] decoded;   // ring of decoded magnitude frames, [frame mod capacity][bin]
    readonly int ringFrames;
    readonly float[] frame, discard;
    long[] morphAnchor = [];
    int morphSteps;
    long decodedFrames;         // frames [0, decodedFrames) have been decoded
    double position;            // read position in decoded frames

    public int Hop { get; }
    public CodeStream Codes => codes;
    /// <summary>The magnitude frame last pushed into phase reconstruction (for tests and meters).</summary>
    internal ReadOnlySpan<float> LastFrame => frame;
    /// <summary>Frames of look-ahead inside phase reconstruction: render k pushed frame k + this.</summary>
    public int LatencyFrames => phase.LatencyFrames;

    /// <param name="generative">false: replay anchors only, without the prior (for pre-rendered openings).</param>
    public VoiceRenderer(WorldModels models, DecoderLayout layout, bool generative = true)
    {
        var m = models.Manifest;
        this.layout = layout;
        bins = m.Audio.NFft / 2 + 1;
        Hop = m.Audio.Hop;
        tokensPerStep = m.Prior.TokensPerStep;
        prior = generative ? new PriorStep(models.Prior, m.Prior, m.Quantizer.CodebookSize) : null;
        codes = new CodeStream(prior, m.Quantizer.CodebookSize, tokensPerStep, m.Quantizer.Levels,
                               historySteps: Math.Max(64, 2 * layout.Window));
        decoder = new DecoderWindow(models.Decoder, layout.Window, m.Grid.FrequencyPositions, m.Quantizer.Levels, bins);
        phase = new StreamingPhaseReconstructor(m.Audio.NFft, m.Audio.Hop);
        highPass = new OutputHighPass(m.Audio.SampleRate);
        ringFrames = 2 * layout.Output * WorldGraphs.FramesPerStep + 2;
        decoded = new float[ringFrames * bins];
        frame = new float[bins];
        discard = new float[Hop];
    }

    /// <summary>Starts a note: codes from <paramref name="anchor"/>, morphing
    /// toward <paramref name="morphTarget"/>.</summary>
    public void Start(AnchorTokens anchor, AnchorTokens morphTarget, ulong seed, in GenerationControls controls)
    {
        codes.Start(anchor.Tokens, anchor.TimeSteps, seed);
        morphAnchor = morphTarget.Tokens; morphSteps = morphTarget.TimeSteps;
        decodedFrames = 0;
        position = 0;
        phase.Reset();
        highPass.Reset();
        for (int i = 0; i < phase.LatencyFrames; i++) Advance(controls, discard);
    }

    /// <summary>The next hop of output samples.</summary>
    public void Render(in GenerationControls controls, Span<float> output) => Advance(controls, output);

    void Advance(in GenerationControls controls, Span<float> output)
    {
        int i = (int)position;
        float a = (float)(position - i);
        while (decodedFrames < i + 2) DecodeNextWindow(controls);
        var f0 = decoded.AsSpan((int)(i % ringFrames) * bins, bins);
        var f1 = decoded.AsSpan((int)((i + 1) % ringFrames) * bins, bins);
        for (int k = 0; k < bins; k++) frame[k] = f0[k] + a * (f1[k] - f0[k]);
        phase.Push(frame, output);
        highPass.Process(output);
        if (!controls.Freeze) position += controls.StepRate;
    }

    /// <summary>Decodes the next <see cref="DecoderLayout.Output"/> steps, generating the codes they need (up to their
    /// right context). At the start of a note the window cannot reach back, so it extends further right; those
    /// extra steps only shape frames decoded again later, and take the anchor's codes rather than making the
    /// prior generate ahead while a chord's voices are all starting at once.</summary>
    void DecodeNextWindow(in GenerationControls controls)
    {
        int first = (int)(decodedFrames / WorldGraphs.FramesPerStep);
        int windowStart = Math.Max(0, first - layout.Left);
        int needed = first + layout.Output + layout.Right;
        while (codes.Steps < needed) codes.Next(controls);

        var codeInput = decoder.Codes;
        var morphInput = decoder.MorphCodes;
        for (int s = 0; s < layout.Window; s++)
        {
            int step = windowStart + s;
            var stepCodes = step < codes.Steps ? codes.Step(step) : codes.AnchorStep(step);
            stepCodes.CopyTo(codeInput.Slice(s * tokensPerStep, tokensPerStep));
            morphAnchor.AsSpan(step % morphSteps * tokensPerStep, tokensPerStep)
                       .CopyTo(morphInput.Slice(s * tokensPerStep, tokensPerStep));
        }
        decoder.Morph.Fill(controls.Morph);
        DecoderWindow.DepthToGains(controls.Depth, decoder.LevelGain);
        decoder.Run();

        var magnitude = decoder.Magnitude;
        int offset = (first - windowStart) * WorldGraphs.FramesPerStep;
        int frames = layout.Output * WorldGraphs.FramesPerStep;
        for (int f = 0; f < frames; f++)
            magnitude.Slice((offset + f) * bins, bins)
                     .CopyTo(decoded.AsSpan((int)((decodedFrames + f) % ringFrames) * bins, bins));
        decodedFrames += frames;
    }

    public void Dispose()
    {
        decoder.Dispose();
        prior?.Dispose();
    }
}
