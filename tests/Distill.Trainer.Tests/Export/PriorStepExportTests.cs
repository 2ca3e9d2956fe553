using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Trainer.Export;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;
using Distill.Trainer.Export.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Export;

[Collection(TorchCollection.Name)]
public class PriorStepExportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly PriorConfig Small = new() { Hidden = 64, Layers = 2, Levels = 2, CodebookSize = 16, FrequencyPositions = 2, ContextSteps = 16, Dropout = 0 };

    /// <summary>A prior whose every weight is randomised, layer-norm gains and biases included, so a
    /// weight in the wrong place changes the logits.</summary>
    static CodePrior RandomPrior(PriorConfig config)
    {
        TorchThreads.Use(1);
        torch.manual_seed(6);
        var prior = new CodePrior(config);
        prior.eval();
        using var noGrad = torch.no_grad();
        foreach (var p in prior.parameters()) p.add_(torch.randn_like(p) * 0.3);
        return prior;
    }

    /// <summary>Steps the exported graph with the runtime's <see cref="PriorStep"/> (its ring cache, its rotary
    /// angles) beside <see cref="CodePrior.Step"/> with its own sliding window; returns the largest logit difference.</summary>
    static double MaxLogitDifference(CodePrior prior, int tokens, int seed)
    {
        var c = prior.Config;
        var shape = new Runtime.Bundle.PriorShape(c.Hidden, c.Layers, c.Heads, c.Hidden / c.Heads, c.ContextSteps, c.TokensPerStep,
                                                  c.ContextTokens, c.ContextTokens - 1, c.RopeBase);
        using var options = RealtimeSessionOptions.Create();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(OnnxExport.PriorStep(prior), options);
        using var step = new PriorStep(session, shape, c.CodebookSize);
        var cache = new PriorCache(c.Layers);
        var random = new Random(seed);
        // An anchor's histogram: random codes, counted per level as the engine counts them.
        var anchorTokens = Enumerable.Range(0, 40 * c.TokensPerStep).Select(_ => (long)random.Next(c.CodebookSize)).ToArray();
        AnchorHistogram.Compute(anchorTokens, c.Levels, c.CodebookSize, step.Condition);
        using var histogram = Tensors.Copy(step.Condition.ToArray(), 1, c.Levels * c.CodebookSize);
        long previous = 0;
        double worst = 0;
        using var noGrad = torch.no_grad();
        for (int n = 0; n < tokens; n++)
        {
            using var scope = torch.NewDisposeScope();
            var logits = step.Step(previous).ToArray();
            var expected = prior.Step(Tensors.Copy(new[] { previous }), cache, histogram: histogram).data<float>().ToArray();
            worst = Math.Max(worst, ExportedModel.MaxAbsDifference(expected, logits));
            previous = random.Next(c.CodebookSize);
        }
        return worst;
    }

    [Fact]
    public void SixtyFourCachedStepsMatchCodePriorStep()
    {
        var prior = RandomPrior(Small);
        Assert.True(Small.ContextTokens >= 64, "this test stays inside the window");
        double diff = MaxLogitDifference(prior, 64, seed: 1);
        output.WriteLine($"64 steps in a {Small.ContextTokens}-token window: max |Δ logits| = {diff:E2}");
        Assert.True(diff < 1e-4, $"max |Δ logits| = {diff}");
    }

    [Fact]
    public void StepsPastTheContextWindowMatchTheSlidingWindow()
    {
        var config = Small with { ContextSteps = 3 };
        var prior = RandomPrior(config);
        double diff = MaxLogitDifference(prior, 64, seed: 2);
        output.WriteLine($"64 steps through a {config.ContextTokens}-token window ({config.ContextTokens - 1} cache slots): max |Δ logits| = {diff:E2}");
        Assert.True(diff < 1e-4, $"max |Δ logits| = {diff}");
    }

    [Fact]
    public void PriorStepGraphUsesEveryWeightAndIsDeterministic()
    {
        var prior = RandomPrior(Small);
        var bytes = OnnxExport.PriorStep(prior);
        ExportedModel.AssertUsesExactly(bytes, prior, _ => true);
        Assert.Equal(bytes, OnnxExport.PriorStep(prior));
        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        Assert.Equal([WorldGraphs.PriorStep.PreviousToken, WorldGraphs.PriorStep.Slot, WorldGraphs.PriorStep.RopeCos, WorldGraphs.PriorStep.RopeSin,
                      WorldGraphs.PriorStep.PastKeys, WorldGraphs.PriorStep.PastValues, WorldGraphs.PriorStep.PastMask,
                      WorldGraphs.PriorStep.AnchorHistogram], graph.Input.Select(i => i.Name));
        Assert.Equal([WorldGraphs.PriorStep.Logits, WorldGraphs.PriorStep.NewKeys, WorldGraphs.PriorStep.NewValues], graph.Output.Select(o => o.Name));
        output.WriteLine($"prior_step.onnx {bytes.Length} B, {graph.Node.Count} nodes");
    }
}
