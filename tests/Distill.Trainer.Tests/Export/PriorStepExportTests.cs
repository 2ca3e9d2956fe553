using Distill.Runtime.Bundle;
using Distill.Runtime.Engine;
using Distill.Runtime.Inference;
using Distill.Runtime.Sampling;
using Distill.Trainer.Export;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;
using Distill.Trainer.Export.Onnx;
using Distill.Trainer.Pipeline;
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

    /// <summary>How far the exported graph's logits are from <see cref="CodePrior.Step"/>'s: the largest difference,
    /// the largest total variation distance between the two distributions (temperature 1), and the share of tokens
    /// whose most likely code is the same.</summary>
    readonly record struct Parity(double MaxDifference, double MaxVariation, double SameArgMax);

    /// <summary>Steps the exported graph with the runtime's <see cref="PriorStep"/> (its ring cache, its rotary
    /// angles) beside <see cref="CodePrior.Step"/> with its own sliding window, reading <paramref name="tokens"/>.</summary>
    static Parity Compare(CodePrior prior, long[] tokens, PriorWeights weights = PriorWeights.Float32)
    {
        var c = prior.Config;
        using var options = RealtimeSessionOptions.Create();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(OnnxExport.PriorStep(prior, weights), options);
        using var step = new PriorStep(session, WorldExport.ShapeOf(c), c.CodebookSize);
        var cache = new PriorCache(c.Layers);
        var random = new Random(7);
        // An anchor's histogram: random codes, counted per level as the engine counts them.
        var anchorTokens = Enumerable.Range(0, 40 * c.TokensPerStep).Select(_ => (long)random.Next(c.CodebookSize)).ToArray();
        AnchorHistogram.Compute(anchorTokens, c.Levels, c.CodebookSize, step.Condition);
        using var histogram = Tensors.Copy(step.Condition.ToArray(), 1, c.Levels * c.CodebookSize);
        long previous = 0;
        double worst = 0, variation = 0;
        int same = 0;
        using var noGrad = torch.no_grad();
        foreach (long token in tokens)
        {
            using var scope = torch.NewDisposeScope();
            var logits = step.Step(previous).ToArray();
            var expected = prior.Step(Tensors.Copy(new[] { previous }), cache, histogram: histogram).data<float>().ToArray();
            worst = Math.Max(worst, ExportedModel.MaxAbsDifference(expected, logits));
            variation = Math.Max(variation, TotalVariation(expected, logits));
            if (TokenSampler.ArgMax(logits) == TokenSampler.ArgMax(expected)) same++;
            previous = token;
        }
        return new Parity(worst, variation, same / (double)tokens.Length);
    }

    /// <summary>½·Σ|p − q| of the two logits' softmax distributions.</summary>
    static double TotalVariation(float[] a, float[] b)
    {
        double[] Softmax(float[] x)
        {
            double max = x.Max();
            var e = x.Select(v => Math.Exp(v - max)).ToArray();
            double sum = e.Sum();
            return e.Select(v => v / sum).ToArray();
        }
        return 0.5 * Softmax(a).Zip(Softmax(b)).Sum(p => Math.Abs(p.First - p.Second));
    }

    static long[] RandomTokens(int count, int seed, int codebookSize)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (long)random.Next(codebookSize)).ToArray();
    }

    static double MaxLogitDifference(CodePrior prior, int tokens, int seed) =>
        Compare(prior, RandomTokens(tokens, seed, prior.Config.CodebookSize)).MaxDifference;

    /// <summary>Multi-head (2 heads, each its own key/value), grouped (4 heads sharing 2) and multi-query (4 heads
    /// sharing 1) attention.</summary>
    public static TheoryData<int, int> Groupings => new() { { 64, 1 }, { 128, 2 }, { 128, 4 } };

    [Theory]
    [MemberData(nameof(Groupings))]
    public void SixtyFourCachedStepsMatchCodePriorStep(int hidden, int queriesPerKeyValue)
    {
        var config = Small with { Hidden = hidden, QueriesPerKeyValue = queriesPerKeyValue };
        var prior = RandomPrior(config);
        Assert.True(config.ContextTokens >= 64, "this test stays inside the window");
        double diff = MaxLogitDifference(prior, 64, seed: 1);
        output.WriteLine($"{config.Heads} heads, {config.KeyValueHeads} key/value: 64 steps in a " +
                         $"{config.ContextTokens}-token window: max |Δ logits| = {diff:E2}");
        Assert.True(diff < 1e-4, $"max |Δ logits| = {diff}");
    }

    [Theory]
    [MemberData(nameof(Groupings))]
    public void StepsPastTheContextWindowMatchTheSlidingWindow(int hidden, int queriesPerKeyValue)
    {
        var config = Small with { Hidden = hidden, QueriesPerKeyValue = queriesPerKeyValue, ContextSteps = 3 };
        var prior = RandomPrior(config);
        double diff = MaxLogitDifference(prior, 64, seed: 2);
        output.WriteLine($"64 steps through a {config.ContextTokens}-token window ({config.ContextTokens - 1} cache slots): max |Δ logits| = {diff:E2}");
        Assert.True(diff < 1e-4, $"max |Δ logits| = {diff}");
    }

    /// <summary>Int8 block weights on the test world's trained prior, teacher-forced along its anchors' own codes
    /// (what generation continues from), against the float prior. Measured (7-bit weights): max |Δ logits| 0.012,
    /// max total variation 0.0017, same argmax 99.6 %. (Random weights, whose activations are far wider than training makes
    /// them, fare much worse: total variation up to 0.6 at 256h/4L; the bounds hold for trained priors.)</summary>
    [Fact]
    public void Int8WeightsOnATrainedPriorStayWithinTheirParityBounds()
    {
        var run = TrainedRun.Open(Path.GetDirectoryName(TestWorld.BundlePath)!);
        var prior = run.LoadPrior();
        prior.eval();
        var tokens = run.LoadCodes().SelectMany(c => c.Tokens).Take(1024).ToArray();
        var parity = Compare(prior, tokens, PriorWeights.Int8);
        var exact = Compare(prior, tokens);
        output.WriteLine($"trained {prior.Config.Hidden}h/{prior.Config.Layers}L, {tokens.Length} tokens: int8 max |Δ logits| = " +
                         $"{parity.MaxDifference:E2}, max total variation {parity.MaxVariation:F4}, same argmax {parity.SameArgMax:P2} " +
                         $"(float: {exact.MaxDifference:E2}, {exact.MaxVariation:F6}, {exact.SameArgMax:P2})");
        Assert.True(parity.MaxDifference < 0.1, $"max |Δ logits| = {parity.MaxDifference}");
        Assert.True(parity.MaxVariation < 0.02, $"max total variation = {parity.MaxVariation}");
        Assert.True(parity.SameArgMax >= 0.99, $"same argmax {parity.SameArgMax:P2}");
    }

    [Fact]
    public void PriorStepGraphUsesEveryWeightAndIsDeterministic()
    {
        var prior = RandomPrior(Small);
        var bytes = OnnxExport.PriorStep(prior);
        ExportedModel.AssertUsesExactly(bytes, prior, _ => true);
        Assert.Equal(bytes, OnnxExport.PriorStep(prior));
        var graph = ModelProto.Parser.ParseFrom(bytes).Graph;
        var layers = Enumerable.Range(0, Small.Layers).ToArray();
        Assert.Equal([WorldGraphs.PriorStep.PreviousToken, WorldGraphs.PriorStep.Slot, WorldGraphs.PriorStep.RopeCos, WorldGraphs.PriorStep.RopeSin,
                      .. layers.Select(WorldGraphs.PriorStep.PastKeys), .. layers.Select(WorldGraphs.PriorStep.PastValues),
                      WorldGraphs.PriorStep.PastMask, WorldGraphs.PriorStep.AnchorHistogram], graph.Input.Select(i => i.Name));
        Assert.Equal([WorldGraphs.PriorStep.Logits, WorldGraphs.PriorStep.NewKeys, WorldGraphs.PriorStep.NewValues], graph.Output.Select(o => o.Name));
        output.WriteLine($"prior_step.onnx {bytes.Length} B, {graph.Node.Count} nodes");
    }
}
