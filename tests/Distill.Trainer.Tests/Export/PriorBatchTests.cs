using System.Runtime.InteropServices;
using Distill.Runtime.Inference;
using Distill.Trainer.Export;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;

namespace Distill.Tests.Export;

/// <summary>The batched prior: several voices stepped in one <c>prior_step</c> call give each voice exactly the
/// logits it gets alone, whatever the batch size, the other voices, their order and their slots.</summary>
[Collection(TorchCollection.Name)]
public class PriorBatchTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Three time steps of context: the rings wrap many times within the test. Four heads sharing two keys/values.
    static readonly PriorConfig Config = new()
    {
        Hidden = 128, Layers = 2, QueriesPerKeyValue = 2, Levels = 2, CodebookSize = 16, FrequencyPositions = 2,
        ContextSteps = 3, Dropout = 0,
    };

    static InferenceSession Session(SessionOptions options, PriorWeights weights = PriorWeights.Float32)
    {
        TorchThreads.Use(1);
        torch.manual_seed(11);
        var prior = new CodePrior(Config);
        prior.eval();
        using (torch.no_grad())
            foreach (var p in prior.parameters()) p.add_(torch.randn_like(p) * 0.3);
        return new InferenceSession(OnnxExport.PriorStep(prior, weights), options);
    }

    static Runtime.Bundle.PriorShape Shape => WorldExport.ShapeOf(Config);

    /// <summary>Four of eight voices, each started alone at a different slot, then stepped together in changing
    /// sets and orders (some stepped in the lanes they occupy, some moved first), against four voices that only ever
    /// run alone.</summary>
    [Theory]
    [InlineData(PriorWeights.Float32)]
    [InlineData(PriorWeights.Int8)]
    public void BatchedStepsEqualEachVoiceAloneBitForBit(PriorWeights weights)
    {
        using var options = RealtimeSessionOptions.Create();
        using var session = Session(options, weights);
        using var batch = new PriorBatch(session, Shape, Config.CodebookSize, voices: 8);
        int[] voices = [5, 1, 6, 2];
        var alone = voices.Select(_ => new PriorStep(session, Shape, Config.CodebookSize)).ToArray();
        var random = new Random(3);
        var previous = new long[8];
        int compared = 0;

        void StepAndCompare(int[] set)
        {
            var codes = set.Select(v => previous[v]).ToArray();
            var logits = batch.Step(set, codes);
            Assert.Equal(set.Length, logits.Count);
            for (int row = 0; row < set.Length; row++)
            {
                var single = alone[Array.IndexOf(voices, set[row])];
                Assert.Equal(single.NextSlot, batch.NextSlot(set[row]) - 1);
                var expected = single.Step(codes[row]);
                Assert.True(MemoryMarshal.AsBytes(expected).SequenceEqual(MemoryMarshal.AsBytes(logits[row])),
                            $"voice {set[row]} at slot {single.NextSlot - 1} differs in a batch of {set.Length}");
                previous[set[row]] = random.Next(Config.CodebookSize);
                compared++;
            }
        }

        for (int i = 0; i < voices.Length; i++)
            for (int n = 0; n < 29 * i; n++) StepAndCompare([voices[i]]);
        for (int n = 0; n < 60; n++) StepAndCompare(voices);
        for (int n = 0; n < 20; n++) StepAndCompare([2, 6, 5]);
        for (int n = 0; n < 20; n++) StepAndCompare([voices[n % 4], voices[(n + 1) % 4]]);
        batch.Reset(6);
        alone[2].Reset();
        for (int n = 0; n < 60; n++) StepAndCompare([.. voices.Reverse()]);
        output.WriteLine($"{compared} logit rows bit-identical; slots reached {string.Join(", ", voices.Select(v => batch.NextSlot(v)))}");
        foreach (var step in alone) step.Dispose();
    }

    [Fact]
    public void BatchedStepsAllocateNothingInSteadyState()
    {
        using var options = RealtimeSessionOptions.Create();
        using var session = Session(options);
        using var batch = new PriorBatch(session, Shape, Config.CodebookSize, voices: 8);
        int[] voices = [0, 3, 4, 7];
        long[] codes = [1, 2, 3, 4];
        float sum = 0;
        for (int n = 0; n < 20; n++) sum += batch.Step(voices, codes)[3][0];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int n = 0; n < 200; n++) sum += batch.Step(voices, codes)[n % 4][0];
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"200 steps of 4 voices: {allocated} bytes allocated (checksum {sum})");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AVoiceGivenTwiceIsRefused()
    {
        using var options = RealtimeSessionOptions.Create();
        using var session = Session(options);
        using var batch = new PriorBatch(session, Shape, Config.CodebookSize, voices: 4);
        Assert.Throws<ArgumentException>(() => batch.Step([1, 2, 1], [0, 0, 0]));
        Assert.Throws<ArgumentException>(() => batch.Step([4], [0]));
        Assert.Throws<ArgumentException>(() => batch.Step([0, 1], [0]));
    }
}
