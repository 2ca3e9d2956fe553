using Distill.Runtime.Bundle;
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
        var anchor = bundle.Anchors.MaxBy(a => a.TimeSteps)!;
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
        var anchor = bundle.Anchors.MaxBy(a => a.TimeSteps)!;
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
}
