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

    /// <summary>The decoder run once over a whole clip (zero padding at both ends), as a reference.</summary>
    static DecoderWindow WholeDecode(WorldBundle bundle, WorldModels models, AnchorTokens anchor)
    {
        var m = bundle.Manifest;
        var whole = new DecoderWindow(models.Decoder, anchor.TimeSteps, m.Grid.FrequencyPositions, m.Quantizer.Levels, m.Audio.NFft / 2 + 1);
        anchor.Tokens.CopyTo(whole.Codes);
        anchor.Tokens.CopyTo(whole.MorphCodes);
        whole.Run();
        return whole;
    }

    /// <summary>The windowed streaming decode gives the frames a decode of the whole clip gives: the window's
    /// context covers the decoder's receptive field.</summary>
    [Fact]
    public void StreamedFramesMatchTheWholeClipDecode()
    {
        var layoutX = DecoderLayout.Default;
        var (bundle, models) = Open();
        using var _ = models;
        var anchor = bundle.Anchors.MaxBy(a => a.TimeSteps)!;
        int bins = bundle.Manifest.Audio.NFft / 2 + 1;
        using var whole = WholeDecode(bundle, models, anchor);

        using var renderer = new VoiceRenderer(models, layoutX, generative: false);
        var controls = GenerationControls.Defaults with { Variation = 0 };
        renderer.Start(anchor, anchor, 1, controls);
        var hop = new float[renderer.Hop];
        // Frames whose right context lies inside the clip (past its end the stream loops, the whole decode pads).
        int comparable = (anchor.TimeSteps - layoutX.Right - 1) * WorldGraphs.FramesPerStep;
        double worst = 0;
        for (int k = 0; k + renderer.LatencyFrames < comparable; k++)
        {
            renderer.Render(controls, hop);
            int f = k + renderer.LatencyFrames;
            var expected = whole.Magnitude.Slice(f * bins, bins);
            for (int b = 0; b < bins; b++)
                worst = Math.Max(worst, Math.Abs(Math.Log(renderer.LastFrame[b] + 1e-6) - Math.Log(expected[b] + 1e-6)));
        }
        output.WriteLine($"{comparable} frames of '{anchor.Name}': max |Δ log magnitude| {worst:E2}");
        Assert.True(worst < 1e-5, $"streamed frames differ from the whole decode by {worst} in log magnitude");
    }

    [Fact]
    public void RenderingAllocatesNothing()
    {
        var (bundle, models) = Open();
        using var _ = models;
        using var renderer = new VoiceRenderer(models, DecoderLayout.Default);
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

        using var renderer = new VoiceRenderer(models, DecoderLayout.Default, generative: false);
        var controls = GenerationControls.Defaults with { Variation = 0, StepRate = (float)Math.Max(rate, 0.25), Freeze = rate == 0 };
        renderer.Start(anchor, anchor, 1, controls);
        var hop = new float[renderer.Hop];
        int usable = (anchor.TimeSteps - DecoderLayout.Default.Right - 1) * WorldGraphs.FramesPerStep - 2;
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
