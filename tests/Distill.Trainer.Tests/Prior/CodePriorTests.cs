using Distill.Trainer.Prior;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Prior;

[Collection(TorchCollection.Name)]
public class CodePriorTests
{
    static readonly PriorConfig Small = new() { Hidden = 64, Layers = 2, Levels = 2, CodebookSize = 16, FrequencyPositions = 2, ContextSteps = 6, Dropout = 0 };

    static (CodePrior Prior, Tensor Tokens) Setup(int n = 24)
    {
        TorchThreads.Use(1);
        torch.manual_seed(2);
        var prior = new CodePrior(Small);
        prior.eval();
        return (prior, torch.randint(Small.CodebookSize, new long[] { 2, n }));
    }

    [Fact]
    public void ChangingAFutureTokenNeverChangesEarlierLogits()
    {
        var (prior, tokens) = Setup();
        using var _ = torch.no_grad();
        var before = prior.Forward(tokens);
        for (int changed = 1; changed < tokens.shape[1]; changed += 5)
        {
            var altered = tokens.clone();
            altered[TensorIndex.Colon, changed] = (altered[TensorIndex.Colon, changed] + 1) % Small.CodebookSize;
            var after = prior.Forward(altered);
            // Logits at slots ≤ changed only see tokens < changed.
            Assert.True(torch.allclose(before.narrow(1, 0, changed + 1), after.narrow(1, 0, changed + 1), 0, 0), $"token {changed} leaked backwards");
            Assert.False(torch.allclose(before.narrow(1, changed + 1, 1), after.narrow(1, changed + 1, 1)), "next slot ignores its previous token");
        }
    }

    /// <summary>Two anchors' histograms [2, L·K]: each row a distribution per level.</summary>
    static Tensor Histograms() =>
        torch.softmax(torch.randn(2, Small.Levels, Small.CodebookSize) * 2, -1).reshape(2, -1);

    [Fact]
    public void CachedStepsEqualTheFullCausalPass()
    {
        var (prior, tokens) = Setup(Small.ContextTokens);
        using var _ = torch.no_grad();
        var histograms = Histograms();
        var full = prior.Forward(tokens, histograms);
        var cache = new PriorCache(Small.Layers);
        var previous = torch.zeros(2, dtype: ScalarType.Int64);
        for (int i = 0; i < tokens.shape[1]; i++)
        {
            var logits = prior.Step(previous, cache, histogram: histograms);
            double diff = (logits - full[TensorIndex.Colon, i]).abs().max().item<float>();
            Assert.True(diff < 1e-5, $"slot {i}: max |Δ| = {diff}");
            previous = tokens[TensorIndex.Colon, i];
        }
    }

    [Fact]
    public void SlidingWindowDependsOnlyOnRelativeTime()
    {
        // A window starting at time step 3 gives the same logits as the same tokens starting at 0:
        // rotary time encoding makes the model shift-invariant, so it can slide past its context.
        var (prior, tokens) = Setup();
        using var _ = torch.no_grad();
        var atZero = prior.Forward(tokens);
        var shifted = prior.Forward(tokens, firstSlot: 3 * Small.TokensPerStep);
        Assert.True(torch.allclose(atZero, shifted, 1e-4, 1e-4));
    }

    [Fact]
    public void TheAnchorHistogramConditionsEverySlotAndZerosMeanNone()
    {
        var (prior, tokens) = Setup();
        using var _ = torch.no_grad();
        var histograms = Histograms();
        var anchored = prior.Forward(tokens, histograms);
        var swapped = prior.Forward(tokens, histograms.flip(0));
        // Every slot, the first included, reads the condition.
        var change = (anchored - swapped).abs().amax(new long[] { 0, 2 });
        Assert.True(change.min().item<float>() > 1e-4, $"a slot ignores the anchor: min |Δ| = {change.min().item<float>()}");
        Assert.True(torch.allclose(prior.Forward(tokens), prior.Forward(tokens, torch.zeros_like(histograms)), 0, 0));
    }
}
