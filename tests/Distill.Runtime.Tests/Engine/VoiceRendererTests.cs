using Distill.Runtime.Bundle;
using Distill.Runtime.Dsp;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Xunit.Abstractions;

namespace Distill.Tests.Engine;

public class VoiceRendererTests(ITestOutputHelper output)
{
    static (WorldBundle Bundle, WorldModels Models) Open()
    {
        var bundle = WorldBundle.Open(TestWorld.BundlePath);
        return (bundle, WorldModels.Create(bundle.Manifest, bundle.Models, TestWorld.BundlePath));
    }

    /// <summary>The decoder run once over a whole clip from silence, as a reference.</summary>
    static StreamingDecoder WholeDecode(WorldBundle bundle, WorldModels models, AnchorTokens anchor)
    {
        var whole = new StreamingDecoder(models.Decoder, bundle.Manifest, anchor.TimeSteps);
        anchor.Tokens.CopyTo(whole.Codes);
        anchor.Tokens.CopyTo(whole.MorphCodes);
        whole.Run();
        return whole;
    }

    /// <summary>The engine decodes each step once, carrying the decoder's state, and gets the frames a decode of the
    /// whole clip gives — to the last frame, since the causal decoder needs no look-ahead.</summary>
    [Fact]
    public void StreamedFramesMatchTheWholeClipDecode()
    {
        var (bundle, models) = Open();
        using var _ = models;
        // The decoder's own frames: without the anchor's spectrum correction.
        var anchor = bundle.Anchors.MaxBy(a => a.TimeSteps)! with { Spectrum = null };
        int bins = bundle.Manifest.Audio.NFft / 2 + 1;
        using var whole = WholeDecode(bundle, models, anchor);

        using var renderer = new VoiceRenderer(models, generative: false);
        var controls = GenerationControls.Defaults with { Variation = 0 };
        renderer.Start(anchor, anchor, 1, controls);
        var hop = new float[renderer.Hop];
        int frames = anchor.TimeSteps * WorldGraphs.FramesPerStep;
        double worst = 0;
        for (int k = 0; k + renderer.LatencyFrames < frames; k++)
        {
            renderer.Render(controls, hop);
            int f = k + renderer.LatencyFrames;
            var expected = whole.Magnitude.Slice(f * bins, bins);
            for (int b = 0; b < bins; b++)
                worst = Math.Max(worst, Math.Abs(Math.Log(renderer.LastFrame[b] + 1e-6) - Math.Log(expected[b] + 1e-6)));
        }
        output.WriteLine($"{frames} frames of '{anchor.Name}': max |Δ log magnitude| {worst:E2}");
        Assert.True(worst < 1e-5, $"streamed frames differ from the whole decode by {worst} in log magnitude");
    }

    /// <summary>An anchor's spectrum correction reshapes the frames phase reconstruction gets, keeping each frame's
    /// power: a replay (variation 0) takes its replay's correction, not its notes'; corrections of 0 dB change no bit
    /// of the audio.</summary>
    [Fact]
    public void AReplayIsReshapedByItsReplaysSpectrum()
    {
        var (bundle, models) = Open();
        using var _ = models;
        var plain = bundle.Anchors[0] with { Spectrum = null };
        var flat = new double[128];
        var tilt = Enumerable.Range(0, 128).Select(m => m < 64 ? -12.0 : 0).ToArray();
        var controls = GenerationControls.Defaults with { Variation = 0 };
        (float[] Audio, float[] Frames) Render(AnchorTokens anchor)
        {
            using var renderer = new VoiceRenderer(models, generative: false);
            renderer.Start(anchor, anchor, 1, controls);
            var audio = new float[40 * renderer.Hop];
            var frames = new List<float>();
            for (int at = 0; at < audio.Length; at += renderer.Hop)
            {
                renderer.Render(controls, audio.AsSpan(at, renderer.Hop));
                frames.AddRange(renderer.LastFrame.ToArray());
            }
            return (audio, frames.ToArray());
        }
        var (plainAudio, plainFrames) = Render(plain);
        Assert.Equal(plainAudio, Render(plain with { Spectrum = new(flat, flat) }).Audio);

        var tilted = Render(plain with { Spectrum = new(tilt, Enumerable.Repeat(12.0, 128).ToArray()) }).Frames;
        var m = bundle.Manifest.Audio;
        var gains = new float[m.NFft / 2 + 1];
        new MelBandGains(m.SampleRate, m.NFft, 128, 0, m.SampleRate / 2).Apply(tilt, gains);
        int bins = gains.Length, checkedFrames = 0;
        for (int f = 0; f < plainFrames.Length / bins; f++)
        {
            var before = plainFrames.AsSpan(f * bins, bins);
            var after = tilted.AsSpan(f * bins, bins);
            double power = 0, reshaped = 0;
            for (int k = 0; k < bins; k++)
            {
                power += before[k] * (double)before[k];
                reshaped += after[k] * (double)after[k];
            }
            if (power < 1e-12) continue;
            checkedFrames++;
            Assert.Equal(1, reshaped / power, 4);
            // Every bin moved by its gain, times the one factor that keeps the frame's power.
            double scale = after[bins / 2] / (before[bins / 2] * (double)gains[bins / 2]);
            for (int k = 0; k < bins; k++)
                Assert.Equal(before[k] * gains[k] * scale, after[k], 1e-4 * (1 + before[k]));
        }
        Assert.True(checkedFrames > 10);
    }

    /// <summary>A step decoded again with other codes continues from the state the first try started from: it equals
    /// a decode that had those codes all along (what the guards rely on to replace a stray step).</summary>
    [Fact]
    public void RunAgainDecodesTheLastStepFromTheStateBeforeIt()
    {
        var (bundle, models) = Open();
        using var _ = models;
        var a = bundle.Anchors[0];
        var b = bundle.Anchors[1];
        int tokens = bundle.Manifest.Prior.TokensPerStep;
        using var retried = new StreamingDecoder(models.Decoder, bundle.Manifest, steps: 1);
        using var straight = new StreamingDecoder(models.Decoder, bundle.Manifest, steps: 1);
        void Decode(StreamingDecoder d, AnchorTokens anchor, int step)
        {
            anchor.Tokens.AsSpan(step * tokens, tokens).CopyTo(d.Codes);
            anchor.Tokens.AsSpan(step * tokens, tokens).CopyTo(d.MorphCodes);
            d.Run();
        }
        for (int step = 0; step < 3; step++)
        {
            Decode(retried, a, step);
            Decode(straight, a, step);
        }
        Decode(retried, b, 3);
        var first = retried.Magnitude.ToArray();
        a.Tokens.AsSpan(3 * tokens, tokens).CopyTo(retried.Codes);
        a.Tokens.AsSpan(3 * tokens, tokens).CopyTo(retried.MorphCodes);
        retried.RunAgain();
        Decode(straight, a, 3);
        Assert.False(first.AsSpan().SequenceEqual(straight.Magnitude), "the other codes decode differently");
        Assert.True(retried.Magnitude.SequenceEqual(straight.Magnitude));
        // And the state it leaves is the one the straight decode has.
        Decode(retried, a, 4);
        Decode(straight, a, 4);
        Assert.True(retried.Magnitude.SequenceEqual(straight.Magnitude));
    }

    /// <summary>An anchor's gain scales its notes' samples, and morph blends it with its target's in dB: the same
    /// codes at +6 dB play 10^(6/20) times the samples at 0 dB, and halfway toward a target at −6 dB, as at 0 dB.</summary>
    [Fact]
    public void AnAnchorsGainScalesItsNotes()
    {
        var (bundle, models) = Open();
        using var _ = models;
        var anchor = bundle.Anchors[0];
        float[] Render(double gainDb, double targetGainDb, float morph)
        {
            using var renderer = new VoiceRenderer(models, generative: false);
            var controls = GenerationControls.Defaults with { Variation = 0, Morph = morph };
            // Without levels: a range measured at the anchor's own gain would hold the note there.
            renderer.Start(anchor with { GainDb = gainDb, Levels = null },
                           anchor with { GainDb = targetGainDb, Levels = null }, 1, controls);
            var audio = new float[40 * renderer.Hop];
            for (int at = 0; at < audio.Length; at += renderer.Hop) renderer.Render(controls, audio.AsSpan(at, renderer.Hop));
            return audio;
        }
        var plain = Render(0, 0, 0);
        float gain = (float)Math.Pow(10, 6 / 20.0);
        Assert.Contains(plain, x => Math.Abs(x) > 1e-3);
        Assert.Equal(plain.Select(x => x * gain), Render(6, -6, 0));
        Assert.Equal(plain, Render(6, -6, 0.5f));
    }

    /// <summary>A replay kept within its own levels plays bit for bit as one without (whatever the range allows passes
    /// untouched); a range set above what the note plays lifts its last second toward it. (An anchor's stored levels
    /// start at its clip's quietest, which a replay can dip under and be lifted to: not its replay's own.)</summary>
    [Fact]
    public void AnAnchorsLevelsKeepItsNotesWithoutTouchingItsReplay()
    {
        var (bundle, models) = Open();
        using var _ = models;
        var anchor = bundle.Anchors.MaxBy(a => a.TimeSteps)!;
        float[] Render(AnchorLevels? range)
        {
            using var renderer = new VoiceRenderer(models, generative: false);
            var controls = GenerationControls.Defaults with { Variation = 0 };
            var keyed = anchor with { Levels = range };
            renderer.Start(keyed, keyed, 1, controls);
            var audio = new float[anchor.TimeSteps * WorldGraphs.FramesPerStep * renderer.Hop];
            for (int at = 0; at < audio.Length; at += renderer.Hop) renderer.Render(controls, audio.AsSpan(at, renderer.Hop));
            return audio;
        }
        var plain = Render(null);
        var levels = VoiceRenderer.LevelRange(plain, bundle.Manifest.Audio.SampleRate, bundle.Manifest.Audio.Hop);
        var keeper = new LevelRangeKeeper(bundle.Manifest.Audio.SampleRate, bundle.Manifest.Audio.Hop,
                                                              VoiceRenderer.KeeperSkipBlocks);
        Assert.True(plain.Length > (keeper.SkipBlocks + keeper.WindowBlocks + 20) * bundle.Manifest.Audio.Hop,
                    "the anchor is long enough for the keeper to judge");
        Assert.Equal(plain, Render(levels));

        var raised = Render(levels with { QuietestDb = levels.LoudestDb + 6, LoudestDb = levels.LoudestDb + 6 });
        int second = bundle.Manifest.Audio.SampleRate;
        double Db(float[] x) => 10 * Math.Log10(x.AsSpan(x.Length - second).ToArray().Average(v => (double)v * v));
        output.WriteLine($"levels {levels.QuietestDb:F1} … {levels.LoudestDb:F1} dB; last second {Db(plain):F1} dB, " +
                         $"with the range raised 6 dB above its loudest {Db(raised):F1} dB");
        Assert.InRange(Db(raised) - Db(plain), 3, LevelRangeKeeper.MaxBoostDb + 0.1);
    }

    [Fact]
    public void RenderingAllocatesNothing()
    {
        var (bundle, models) = Open();
        using var _ = models;
        using var renderer = new VoiceRenderer(models);
        var controls = GenerationControls.Defaults with { Variation = 1, StepRate = 1.5f };
        var hop = new float[renderer.Hop];
        renderer.Start(bundle.Anchors[0], bundle.Anchors[1], 3, controls);
        for (int i = 0; i < 200; i++) renderer.Render(controls, hop); // warm: first runs of each path
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) renderer.Render(controls, hop);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"2000 frames (prior, decoder, phase): {allocated} bytes allocated");
        Assert.Equal(0, allocated);
    }

    /// <summary>Step rate reads the decoded frames faster or slower (interpolating between them); freeze holds one.</summary>
    [Theory]
    [InlineData(2.0)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void StepRateAndFreezeMoveThroughTheDecodedFrames(double rate)
    {
        var (bundle, models) = Open();
        using var _ = models;
        // The decoder's own frames: without the anchor's spectrum correction.
        var anchor = bundle.Anchors.MaxBy(a => a.TimeSteps)! with { Spectrum = null };
        int bins = bundle.Manifest.Audio.NFft / 2 + 1;
        using var whole = WholeDecode(bundle, models, anchor);

        using var renderer = new VoiceRenderer(models, generative: false);
        var controls = GenerationControls.Defaults with { Variation = 0, StepRate = (float)Math.Max(rate, 0.25), Freeze = rate == 0 };
        renderer.Start(anchor, anchor, 1, controls);
        var hop = new float[renderer.Hop];
        int usable = anchor.TimeSteps * WorldGraphs.FramesPerStep - 2;
        double worst = 0;
        for (int n = renderer.LatencyFrames; n * rate < usable && n < 60; n++)
        {
            renderer.Render(controls, hop);
            double position = n * rate;
            int i = (int)position;
            double a = position - i;
            for (int b = 0; b < bins; b += 7)
            {
                double expected = (1 - a) * whole.Magnitude[i * bins + b] + a * whole.Magnitude[(i + 1) * bins + b];
                worst = Math.Max(worst, Math.Abs(renderer.LastFrame[b] - expected) / (expected + 1e-4));
            }
        }
        output.WriteLine($"rate {rate}: max relative frame error {worst:E2}");
        Assert.True(worst < 1e-3, $"frames at rate {rate} are off by {worst}");
    }

    /// <summary>Four voices whose prior reads are batched (<see cref="PriorLockstep"/>, as the generation worker does)
    /// render bit for bit what each renders alone, through notes started at different moments (so each frame asks
    /// them for different numbers of tokens), a retriggered note and moving controls; and the batch does nearly all
    /// of their reads.</summary>
    [Fact]
    public void BatchedVoicesRenderWhatEachRendersAlone()
    {
        var (bundle, models) = Open();
        using var _ = models;
        var m = bundle.Manifest;
        const int voices = 4, frames = 700;
        int[] startFrame = [0, 37, 90, 91];
        using var priors = new PriorBatch(models.Prior, m.Prior, m.Quantizer.CodebookSize, voices);
        var lockstep = new PriorLockstep(priors);
        var batched = Enumerable.Range(0, voices).Select(v => new VoiceRenderer(models, priors, v)).ToArray();
        var alone = Enumerable.Range(0, voices).Select(_ => new VoiceRenderer(models)).ToArray();
        var streams = new CodeStream[voices];
        var hop = new float[batched[0].Hop];
        var expected = new float[hop.Length];
        long readsInBatches = 0, readsAlone = 0;

        for (int frame = 0; frame < frames; frame++)
        {
            var controls = GenerationControls.Defaults with
            {
                Sampling = new(Temperature: 0.6f + frame / 60 % 3 * 0.4f), Variation = 1, Morph = frame > 400 ? 0.5f : 0,
                StepRate = frame is > 200 and < 300 ? 1.5f : 1,
            };
            for (int v = 0; v < voices; v++)
                if (frame == startFrame[v] || (v == 1 && frame == 500))
                {
                    var anchor = bundle.Anchors[v % bundle.Anchors.Count];
                    var target = bundle.Anchors[(v + 1) % bundle.Anchors.Count];
                    batched[v].Start(anchor, target, (ulong)(v + frame), controls);
                    alone[v].Start(anchor, target, (ulong)(v + frame), controls);
                }
            int count = 0;
            long before = 0;
            for (int v = 0; v < voices; v++)
            {
                if (frame < startFrame[v]) continue;
                batched[v].Ask(controls);
                streams[count++] = batched[v].Codes;
                before += priors.NextSlot(v);
            }
            lockstep.Read(streams.AsSpan(0, count), controls);
            for (int v = 0; v < voices; v++)
            {
                if (frame < startFrame[v]) continue;
                long slot = priors.NextSlot(v);
                readsInBatches += slot;
                batched[v].Render(controls, hop);
                readsAlone += priors.NextSlot(v) - slot;
                alone[v].Render(controls, expected);
                Assert.True(hop.AsSpan().SequenceEqual(expected), $"voice {v} differs at frame {frame}");
            }
            readsInBatches -= before;
        }
        output.WriteLine($"{frames} frames of {voices} voices bit-identical; prior reads batched {readsInBatches}, " +
                         $"alone {readsAlone}");
        Assert.True(readsAlone < 0.02 * readsInBatches, $"only {readsInBatches} of {readsInBatches + readsAlone} reads were batched");
        foreach (var r in batched.Concat(alone)) r.Dispose();
    }
}
