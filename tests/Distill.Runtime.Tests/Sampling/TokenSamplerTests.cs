using Distill.Runtime.Sampling;

namespace Distill.Tests.Sampling;

public class TokenSamplerTests
{
    // Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1, deliberately not in index order.
    static readonly float[] Logits = { MathF.Log(0.15f), MathF.Log(0.5f), MathF.Log(0.05f), MathF.Log(0.3f) };

    static int[] Histogram(SamplingSettings s, int draws = 20000, ulong seed = 1, float scale = 1f)
    {
        var sampler = new TokenSampler(Logits.Length, seed);
        var counts = new int[Logits.Length];
        for (int i = 0; i < draws; i++) counts[sampler.Sample(Logits, s, scale)]++;
        return counts;
    }

    [Fact]
    public void ZeroTemperatureIsArgmax()
    {
        Assert.Equal(new[] { 0, 100, 0, 0 }, Histogram(new SamplingSettings(0f), 100));
        // A zero per-level scale also means greedy for that level.
        Assert.Equal(new[] { 0, 100, 0, 0 }, Histogram(new SamplingSettings(1f), 100, scale: 0f));
    }

    [Fact]
    public void TemperatureOneFollowsTheSoftmax()
    {
        var counts = Histogram(new SamplingSettings(1f));
        double[] expected = { 0.15, 0.5, 0.05, 0.3 };
        for (int i = 0; i < 4; i++) Assert.InRange(counts[i] / 20000.0, expected[i] - 0.015, expected[i] + 0.015);
    }

    [Fact]
    public void HighTemperatureFlattensTheDistribution()
    {
        var hot = Histogram(new SamplingSettings(5f));
        var cold = Histogram(new SamplingSettings(0.5f));
        Assert.True(hot[2] > 2 * Histogram(new SamplingSettings(1f))[2]);
        Assert.InRange(cold[1] / 20000.0, 0.665, 0.705); // p² renormalised: 0.25 / 0.365
    }

    /// <summary>However hot, codes whose tempered probability is under 2 % of the top code's are never drawn; the
    /// others are, with odds flattened by the temperature.</summary>
    [Fact]
    public void HighTemperatureDrawsOnlyPlausibleCodes()
    {
        // 0.6 top, 0.3 and 0.06 (50 % and 10 % of the top), then ten codes at 1/10,000 of the top each: at
        // temperature 2 their tempered odds are 1 % of the top's.
        float[] logits = [MathF.Log(0.6f), MathF.Log(0.3f), MathF.Log(0.06f), .. Enumerable.Repeat(MathF.Log(0.6e-4f), 10)];
        var counts = Counts(logits, 2f);
        Assert.All(counts[3..], c => Assert.Equal(0, c));
        // At temperature 2 the odds are the square roots: 0.775 : 0.548 : 0.245.
        Assert.InRange(counts[2] / 20000.0, 0.245 / 1.568 - 0.015, 0.245 / 1.568 + 0.015);
        // Cool, the floor tightens: at 0.5 the code at 10 % of the top has tempered odds of 1 % and is never drawn.
        Assert.Equal(0, Counts(logits, 0.5f)[2]);
    }

    /// <summary>A confident prior still varies when hot: codes at 1/500 of the top are never drawn at temperature 1,
    /// but at 2 their tempered odds are 4.5 % of the top's, and together they take a quarter of the draws.</summary>
    [Fact]
    public void ConfidentPriorVariesOnlyWhenHot()
    {
        float[] logits = [0f, .. Enumerable.Repeat(-MathF.Log(500f), 9)];
        Assert.Equal(20000, Counts(logits, 1f)[0]);
        var hot = Counts(logits, 2f);
        double others = 9 / MathF.Sqrt(500f);
        Assert.InRange(1 - hot[0] / 20000.0, others / (1 + others) - 0.015, others / (1 + others) + 0.015);
        Assert.All(hot[1..], c => Assert.True(c > 0));
    }

    static int[] Counts(float[] logits, float temperature)
    {
        var sampler = new TokenSampler(logits.Length, 3);
        var counts = new int[logits.Length];
        for (int i = 0; i < 20000; i++) counts[sampler.Sample(logits, new SamplingSettings(temperature))]++;
        return counts;
    }

    /// <summary>Codes outside the vocabulary (weight 0) are never drawn, greedy or hot, even the prior's favourite;
    /// an all-zero vocabulary allows every code.</summary>
    [Fact]
    public void OnlyCodesOfTheVocabularyAreDrawn()
    {
        float[] vocabulary = [0.2f, 0, 0.5f, 0.3f]; // code 1, the most likely, is not in it
        var sampler = new TokenSampler(Logits.Length, 9);
        var counts = new int[Logits.Length];
        for (int i = 0; i < 20000; i++) counts[sampler.Sample(Logits, new SamplingSettings(2f), vocabulary: vocabulary)]++;
        Assert.Equal(0, counts[1]);
        Assert.All(new[] { 0, 2, 3 }, c => Assert.True(counts[c] > 0));
        Assert.Equal(3, sampler.Sample(Logits, new SamplingSettings(0f), vocabulary: vocabulary)); // 0.3 is the best left
        Assert.Equal(1, sampler.Sample(Logits, new SamplingSettings(0f), vocabulary: new float[4]));
    }

    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(2, new[] { 1, 3 })]
    [InlineData(3, new[] { 0, 1, 3 })]
    public void TopKNeverEmitsTokensOutsideTheK(int k, int[] allowed)
    {
        var counts = Histogram(new SamplingSettings(2f, TopK: k));
        for (int i = 0; i < 4; i++)
            if (allowed.Contains(i)) Assert.True(counts[i] > 0); else Assert.Equal(0, counts[i]);
    }

    [Theory]
    [InlineData(0.4f, new[] { 1 })]
    [InlineData(0.75f, new[] { 1, 3 })]
    [InlineData(0.9f, new[] { 0, 1, 3 })]
    public void TopPKeepsTheSmallestNucleusReachingP(float p, int[] allowed)
    {
        var counts = Histogram(new SamplingSettings(1f, TopP: p));
        for (int i = 0; i < 4; i++)
            if (allowed.Contains(i)) Assert.True(counts[i] > 0); else Assert.Equal(0, counts[i]);
    }

    [Fact]
    public void SameSeedSameSequenceOtherSeedOtherSequence()
    {
        var a = new TokenSampler(4, 42); var b = new TokenSampler(4, 42); var c = new TokenSampler(4, 43);
        var s = new SamplingSettings(1.5f);
        var sa = Enumerable.Range(0, 200).Select(_ => a.Sample(Logits, s)).ToArray();
        Assert.Equal(sa, Enumerable.Range(0, 200).Select(_ => b.Sample(Logits, s)).ToArray());
        Assert.NotEqual(sa, Enumerable.Range(0, 200).Select(_ => c.Sample(Logits, s)).ToArray());
    }

    [Fact]
    public void SamplingAllocatesNothing()
    {
        var sampler = new TokenSampler(256, 7);
        var logits = Enumerable.Range(0, 256).Select(i => MathF.Sin(i)).ToArray();
        var s = new SamplingSettings(0.9f, 40, 0.95f);
        sampler.Sample(logits, s);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) sampler.Sample(logits, s);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
