using Distill.Runtime.Bundle;
using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Export;
using Distill.Trainer.Torch;
using Distill.Trainer.Export.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Tests.Export;

/// <summary>An autoencoder with its encoder and decoder exported and open in OnnxRuntime.</summary>
public sealed class ExportedWorld : IDisposable
{
    public string Name { get; }
    public RvqAutoencoder Model { get; }
    public FeatureStats Stats { get; }
    public byte[] EncoderBytes { get; }
    public byte[] DecoderBytes { get; }
    public long[][] DecoderState { get; }
    public OrtGraph Encoder { get; }
    public OrtGraph Decoder { get; }

    public ExportedWorld(string name, RvqAutoencoder model, FeatureStats stats)
    {
        (Name, Model, Stats) = (name, model, stats);
        model.eval();
        EncoderBytes = OnnxExport.Encoder(model, stats);
        (DecoderBytes, DecoderState) = OnnxExport.Decoder(model, stats);
        Encoder = new OrtGraph(EncoderBytes);
        Decoder = new OrtGraph(DecoderBytes);
    }

    public AutoencoderConfig Config => Model.Config;

    public void Dispose()
    {
        Encoder.Dispose();
        Decoder.Dispose();
    }
}

/// <summary>A tiny autoencoder trained for two epochs on the demo corpus, and an untrained one of the
/// default size (128 mels, 1025 bins, 4 STFT-head channels, 64 codes × 4 levels).</summary>
public sealed class ExportedWorldsFixture : IDisposable
{
    readonly SmallCorpusFixture corpus = new();
    public ExportedWorld Trained { get; }
    public ExportedWorld DefaultSize { get; }
    public IEnumerable<ExportedWorld> Both => [Trained, DefaultSize];

    public ExportedWorldsFixture()
    {
        var config = corpus.TinyConfig(epochs: 2);
        var trainer = new AutoencoderTrainer(config, corpus.Corpus, corpus.NewRunDir("export"), new NullObserver());
        trainer.Run(CancellationToken.None);
        Trained = new ExportedWorld("trained tiny", trainer.Model, config.Stats);
        torch.manual_seed(21);
        DefaultSize = new ExportedWorld("default size", new RvqAutoencoder(new AutoencoderConfig()), new FeatureStats(-7f, 3f, -3f, 2f));
    }

    public void Dispose()
    {
        Trained.Dispose();
        DefaultSize.Dispose();
        corpus.Dispose();
    }
}

[Collection(TorchCollection.Name)]
public class AutoencoderExportTests(ExportedWorldsFixture worlds, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ExportedWorldsFixture>
{
    const double Tolerance = 1e-4;

    /// <summary>Natural-log mel [mels, frames] (mel-major, frames cut to a multiple of 16) of a demo texture
    /// rendered with a seed the training corpus did not use.</summary>
    static float[] DemoLogMel(string texture, out int frames)
    {
        var features = new LogMelFeatures(new FeatureConfig());
        int mels = features.Config.Mels;
        var frameMajor = features.LogMel(DemoCorpus.Render(texture, seed: 77, seconds: 2.0), out int all);
        frames = all / WorldGraphs.FramesPerStep * WorldGraphs.FramesPerStep;
        var mel = new float[mels * frames];
        for (int t = 0; t < frames; t++)
            for (int m = 0; m < mels; m++) mel[m * frames + t] = frameMajor[t * mels + m];
        return mel;
    }

    /// <summary>Raw log-mel spread like real features around the world's mean.</summary>
    static float[] RandomLogMel(ExportedWorld w, int seed, int frames)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, w.Config.Mels * frames)
            .Select(_ => w.Stats.MelMean + w.Stats.MelStd * (float)(2 * random.NextDouble() - 1) * 1.7f).ToArray();
    }

    static Tensor NormalisedLogMel(ExportedWorld w, float[] rawLogMel, int frames) =>
        // In float, as CropBatcher normalises for training.
        Tensors.Copy(rawLogMel.Select(v => (v - w.Stats.MelMean) / w.Stats.MelStd).ToArray(), 1, 1, w.Config.Mels, frames);

    static long[] TorchCodes(ExportedWorld w, float[] rawLogMel, int frames)
    {
        using var noGrad = torch.no_grad();
        return w.Model.Encode(NormalisedLogMel(w, rawLogMel, frames)).reshape(-1).data<long>().ToArray();
    }

    /// <summary>
    /// ONNX codes equal <see cref="Autoencoder.Encode"/>'s except after a rounding-level tie: two codebook
    /// entries at the same distance from a latent up to float error (dead-code replacement copies one
    /// batch vector, e.g. of a constant band, into several codes), where the two runtimes' last-bit
    /// differences may pick either; the levels after such a tie quantize a different residual and are not
    /// compared. Ties must stay rare, so a collapsed codebook (everything tied) cannot pass.
    /// </summary>
    void AssertCodesEqual(ExportedWorld w, float[] rawLogMel, int frames, string what)
    {
        using var noGrad = torch.no_grad();
        int levels = w.Config.Levels;
        var expected = TorchCodes(w, rawLogMel, frames);
        var actual = (long[])w.Encoder.Run((WorldGraphs.Encoder.LogMel, OrtGraph.Input(rawLogMel, 1, 1, w.Config.Mels, frames)))[WorldGraphs.Encoder.Codes];
        Assert.Equal(frames / WorldGraphs.FramesPerStep * w.Config.FrequencyPositions * levels, actual.Length);
        var latents = RvqAutoencoder.ToVectors(w.Model.Encoder.call(NormalisedLogMel(w, rawLogMel, frames)));
        int vectors = expected.Length / levels, ties = 0;
        double widestTie = 0;
        for (int v = 0; v < vectors; v++)
        {
            int l = Enumerable.Range(0, levels).FirstOrDefault(l => expected[v * levels + l] != actual[v * levels + l], -1);
            if (l < 0) continue;
            var residual = latents[v];
            for (int k = 0; k < l; k++) residual = residual - w.Model.Quantizer.Level(k).Embed[expected[v * levels + k]];
            var embed = w.Model.Quantizer.Level(l).Embed;
            double Distance(long code) => (residual - embed[code]).pow(2).sum().item<float>();
            double gap = Math.Abs(Distance(expected[v * levels + l]) - Distance(actual[v * levels + l]));
            double rounding = 1e-5 * Math.Max(1, residual.pow(2).sum().item<float>());
            Assert.True(gap <= rounding, $"{what}, vector {v}, level {l}: code {actual[v * levels + l]} instead of {expected[v * levels + l]}, distances {gap:E2} apart");
            ties++;
            widestTie = Math.Max(widestTie, gap);
        }
        output.WriteLine($"{w.Name}, {what}: {vectors} vectors × {levels} levels, {expected.Distinct().Count()} distinct codes; " +
                         $"{ties} rounding-level ties (distances ≤ {widestTie:E1} apart), all other codes identical");
        Assert.True(ties <= Math.Max(1, vectors / 20), $"{what}: {ties} of {vectors} vectors tied"); // each tie checked above
    }

    [Fact]
    public void EncoderCodesEqualTorchOnDemoClips()
    {
        foreach (var texture in new[] { "rain", "fm-bells", "choir", "static" })
            AssertCodesEqual(worlds.Trained, DemoLogMel(texture, out int frames), frames, texture);
    }

    [Fact]
    public void EncoderCodesEqualTorchOnRandomLogMel()
    {
        foreach (var w in worlds.Both)
            foreach (int frames in new[] { 16, 96 }) AssertCodesEqual(w, RandomLogMel(w, frames, frames), frames, $"random, {frames} frames");
    }

    /// <summary>Max |Δ| of the ONNX decoder's log_mel and ln(magnitude) against the trainer's normalised
    /// log-mel [1, 1, mels, frames] and log-magnitude [1, bins, frames], de-normalised as TrainedRun.Render does.</summary>
    static (double Mel, double Magnitude) DecoderDifference(ExportedWorld w, long[] codes, long[] morphCodes, float[] morph, float[] gains,
                                                            Tensor mel, Tensor logMagnitude)
    {
        var c = w.Config;
        int steps = morph.Length;
        var result = RunDecoder(w, codes, morphCodes, morph, gains, ZeroState(w));
        var s = w.Stats;
        var expectedMel = (mel * s.MelStd + s.MelMean).contiguous().data<float>().ToArray();
        var expectedLogMagnitude = (logMagnitude[0].t() * s.MagnitudeStd + s.MagnitudeMean).contiguous().data<float>().ToArray();
        var logMagnitudeOut = ((float[])result[WorldGraphs.Decoder.Magnitude]).Select(v => MathF.Log(v)).ToArray();
        Assert.Equal(steps * WorldGraphs.FramesPerStep * c.StftBins, logMagnitudeOut.Length);
        return (ExportedModel.MaxAbsDifference(expectedMel, (float[])result[WorldGraphs.Decoder.LogMel]),
                ExportedModel.MaxAbsDifference(expectedLogMagnitude, logMagnitudeOut));
    }

    static float[][] ZeroState(ExportedWorld w) =>
        w.DecoderState.Select(shape => new float[shape.Aggregate(1L, (a, d) => a * d)]).ToArray();

    static IReadOnlyDictionary<string, Array> RunDecoder(ExportedWorld w, long[] codes, long[] morphCodes, float[] morph,
                                                         float[] gains, float[][] state)
    {
        var c = w.Config;
        int steps = morph.Length;
        long[] codeShape = [1, steps, c.FrequencyPositions, c.Levels];
        return w.Decoder.Run([
            (WorldGraphs.Decoder.Codes, OrtGraph.Input(codes, codeShape)),
            (WorldGraphs.Decoder.MorphCodes, OrtGraph.Input(morphCodes, codeShape)),
            (WorldGraphs.Decoder.Morph, OrtGraph.Input(morph, 1, steps)),
            (WorldGraphs.Decoder.LevelGain, OrtGraph.Input(gains, c.Levels)),
            .. state.Select((values, i) => (WorldGraphs.Decoder.StateIn(i), OrtGraph.Input(values, w.DecoderState[i]))),
        ]);
    }

    /// <summary>The causal decoder streams: chunks of 1, 2 and 5 steps, each given the state the one before returned,
    /// decode what one call over the whole sequence decodes.</summary>
    [Fact]
    public void DecoderInChunksCarryingItsStateEqualsTheWholeDecode()
    {
        foreach (var w in worlds.Both)
        {
            var c = w.Config;
            int steps = 8, tokens = c.FrequencyPositions * c.Levels;
            var codes = RandomCodes(c, new Random(5), steps);
            var gains = Enumerable.Repeat(1f, c.Levels).ToArray();
            var whole = (float[])RunDecoder(w, codes, codes, new float[steps], gains, ZeroState(w))[WorldGraphs.Decoder.Magnitude];
            var state = ZeroState(w);
            var streamed = new List<float>();
            int at = 0;
            foreach (int chunk in new[] { 1, 2, 5 })
            {
                var part = codes[(at * tokens)..((at + chunk) * tokens)];
                var result = RunDecoder(w, part, part, new float[chunk], gains, state);
                streamed.AddRange((float[])result[WorldGraphs.Decoder.Magnitude]);
                state = state.Select((_, i) => (float[])result[WorldGraphs.Decoder.StateOut(i)]).ToArray();
                at += chunk;
            }
            double worst = ExportedModel.MaxAbsDifference(whole.Select(v => MathF.Log(v)).ToArray(), streamed.Select(v => MathF.Log(v)).ToArray());
            output.WriteLine($"{w.Name}: {w.DecoderState.Length} state tensors, chunks 1+2+5 vs whole: max |Δ ln magnitude| {worst:E2}");
            Assert.True(worst < Tolerance, $"{w.Name}: streamed decode differs by {worst}");
        }
    }

    static long[] RandomCodes(AutoencoderConfig c, Random random, int steps) =>
        Enumerable.Range(0, steps * c.FrequencyPositions * c.Levels).Select(_ => (long)random.Next(c.CodebookSize)).ToArray();

    /// <summary>Gains 1 for the first d levels and 0 after, morph 0 (its codes different, so ignoring them
    /// is tested): <see cref="Autoencoder.Decode"/>(codes, d).</summary>
    void AssertDecodesAtEveryDepth(ExportedWorld w, long[] codes, int steps, string what)
    {
        using var noGrad = torch.no_grad();
        var c = w.Config;
        for (int depth = 1; depth <= c.Levels; depth++)
        {
            var (mel, logMagnitude) = w.Model.Decode(Tensors.Copy(codes, 1, steps, c.FrequencyPositions, c.Levels), depth);
            var gains = Enumerable.Range(0, c.Levels).Select(l => l < depth ? 1f : 0f).ToArray();
            var (dMel, dMag) = DecoderDifference(w, codes, Enumerable.Reverse(codes).ToArray(), new float[steps], gains, mel, logMagnitude);
            output.WriteLine($"{w.Name}, {what}, depth {depth}: max |Δ| log-mel {dMel:E2}, log-magnitude {dMag:E2}");
            Assert.True(dMel < Tolerance && dMag < Tolerance, $"{w.Name}, {what}, depth {depth}: log-mel {dMel}, log-magnitude {dMag}");
        }
    }

    [Fact]
    public void DecoderEqualsDecodeAtEveryDepthOnRandomCodes()
    {
        var random = new Random(11);
        foreach (var w in worlds.Both)
            foreach (int steps in new[] { 1, 5 }) AssertDecodesAtEveryDepth(w, RandomCodes(w.Config, random, steps), steps, $"random, {steps} steps");
    }

    [Fact]
    public void DecoderEqualsDecodeOnCodesOfDemoClips()
    {
        foreach (var texture in new[] { "surf", "pluck-bass" })
        {
            var mel = DemoLogMel(texture, out int frames);
            AssertDecodesAtEveryDepth(worlds.Trained, TorchCodes(worlds.Trained, mel, frames), frames / WorldGraphs.FramesPerStep, texture);
        }
    }

    [Fact]
    public void DecoderMorphsBetweenTwoCodeSetsByTheContractsFormula()
    {
        using var noGrad = torch.no_grad();
        var random = new Random(12);
        foreach (var w in worlds.Both)
        {
            var c = w.Config;
            int steps = 4, f = c.FrequencyPositions;
            var a = RandomCodes(c, random, steps);
            var b = RandomCodes(c, random, steps);
            float[] morph = [0f, 0.3f, 0.75f, 1f];
            float[] gains = Enumerable.Range(0, c.Levels).Select(l => 1f / (l + 1)).ToArray();

            // latent = (1 − m)·Σ g_l e_l(a) + m·Σ g_l e_l(b), per time step, computed with the trainer's codebooks.
            Tensor Latent(long[] codes)
            {
                var rows = Tensors.Copy(codes, steps * f, c.Levels);
                var sum = torch.zeros(steps * f, c.LatentDim);
                for (int l = 0; l < c.Levels; l++) sum = sum + gains[l] * w.Model.Quantizer.Level(l).Lookup(rows[TensorIndex.Colon, l]);
                return sum;
            }
            var m = Tensors.Copy(morph, steps).repeat_interleave(f).unsqueeze(1); // rows are time, then frequency
            var latent = (1 - m) * Latent(a) + m * Latent(b);
            var (mel, logMagnitude) = w.Model.Decoder.call(RvqAutoencoder.FromVectors(latent, 1, f, steps));

            var (dMel, dMag) = DecoderDifference(w, a, b, morph, gains, mel, logMagnitude);
            output.WriteLine($"{w.Name}, morph {string.Join(", ", morph)}, gains {string.Join(", ", gains.Select(g => g.ToString("F2")))}: " +
                             $"max |Δ| log-mel {dMel:E2}, log-magnitude {dMag:E2}");
            Assert.True(dMel < Tolerance && dMag < Tolerance, $"{w.Name}: log-mel {dMel}, log-magnitude {dMag}");
        }
    }

    /// <summary>Codebook entries; cluster sizes, EMA sums and the init flag are training state only.</summary>
    static bool IsCodebook(string name) => name.StartsWith("Quantizer.") && name.EndsWith(".embed");

    [Fact]
    public void EncoderGraphUsesEveryEncoderWeightAndEveryCodebook()
    {
        foreach (var w in worlds.Both)
            ExportedModel.AssertUsesExactly(w.EncoderBytes, w.Model, name => name.StartsWith("Encoder.") || IsCodebook(name));
    }

    [Fact]
    public void DecoderGraphUsesEveryDecoderWeightAndEveryCodebook()
    {
        foreach (var w in worlds.Both)
            ExportedModel.AssertUsesExactly(w.DecoderBytes, w.Model, name => name.StartsWith("Decoder.") || IsCodebook(name));
    }

    [Fact]
    public void WeightCheckNoticesALayerTheGraphLacks() =>
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ExportedModel.AssertUsesExactly(worlds.Trained.EncoderBytes, worlds.Trained.Model,
            name => name.StartsWith("Encoder.") || IsCodebook(name) || name == "Decoder.melHead.weight"));

    [Fact]
    public void ExportIsDeterministicAndDeclaresTheContract()
    {
        var w = worlds.Trained;
        Assert.Equal(w.EncoderBytes, OnnxExport.Encoder(w.Model, w.Stats));
        Assert.Equal(w.DecoderBytes, OnnxExport.Decoder(w.Model, w.Stats).Graph);
        var encoder = ModelProto.Parser.ParseFrom(w.EncoderBytes);
        Assert.Equal(10, encoder.IrVersion);
        Assert.Equal("distill", encoder.ProducerName);
        Assert.Equal(("", 21L), (Assert.Single(encoder.OpsetImport).Domain, encoder.OpsetImport[0].Version));
        Assert.Equal([WorldGraphs.Encoder.LogMel], encoder.Graph.Input.Select(i => i.Name));
        Assert.Equal([WorldGraphs.Encoder.Codes], encoder.Graph.Output.Select(i => i.Name));
        var decoder = ModelProto.Parser.ParseFrom(w.DecoderBytes).Graph;
        var states = Enumerable.Range(0, w.DecoderState.Length).ToArray();
        Assert.Equal([WorldGraphs.Decoder.Codes, WorldGraphs.Decoder.MorphCodes, WorldGraphs.Decoder.Morph, WorldGraphs.Decoder.LevelGain,
                      .. states.Select(WorldGraphs.Decoder.StateIn)],
                     decoder.Input.Select(i => i.Name));
        Assert.Equal([.. states.Select(WorldGraphs.Decoder.StateOut), WorldGraphs.Decoder.Magnitude, WorldGraphs.Decoder.LogMel],
                     decoder.Output.Select(i => i.Name));
        foreach (var x in worlds.Both)
            output.WriteLine($"{x.Name}: encoder.onnx {x.EncoderBytes.Length} B, decoder.onnx {x.DecoderBytes.Length} B");
    }
}
