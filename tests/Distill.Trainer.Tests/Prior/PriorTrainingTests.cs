using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;
using Distill.Runtime.Sampling;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Prior;
using Distill.Trainer.Torch;

namespace Distill.Tests.Prior;

/// <summary>A tiny autoencoder trained on the demo corpus (two variants per texture, so validation
/// files are new recordings of familiar textures, as in a real sound folder), and its codes.</summary>
public sealed class EncodedCorpusFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("distill-prior-tests").FullName;
    public CodeSequence[] Train { get; }
    public CodeSequence[] Validation { get; }
    public AutoencoderConfig Model { get; }

    public EncodedCorpusFixture()
    {
        string folder = Path.Combine(Root, "corpus");
        DemoCorpus.Generate(folder, seed: 1, secondsPerFile: 2.0, variantsPerTexture: 2);
        var corpus = Corpus.Load(folder, new FeatureConfig());
        var config = RunConfig.Resolve(new TrainOptions { Folder = folder, RunDir = Root, Epochs = 10, BatchSize = 8, Threads = 1, Seed = 5 }, corpus) with
        {
            Model = new AutoencoderConfig { StemChannels = 4, StageChannels = new[] { 8, 8, 16, 16 }, LatentDim = 16, CodebookSize = 32, Levels = 2, StftHeadChannels = 1 },
        };
        Model = config.Model;
        string run = Directory.CreateDirectory(Path.Combine(Root, "run")).FullName;
        var trainer = new AutoencoderTrainer(config, corpus, run, new NullObserver());
        trainer.Run(CancellationToken.None);
        var codes = CodeCorpus.Encode(trainer.Model, corpus, config.Stats);
        Train = config.Split.Train.Select(i => codes[i]).ToArray();
        Validation = config.Split.Validation.Select(i => codes[i]).ToArray();
    }

    public PriorRunConfig PriorConfig(int epochs) => new()
    {
        Prior = new PriorConfig { Hidden = 64, Layers = 2, Levels = Model.Levels, CodebookSize = Model.CodebookSize, FrequencyPositions = Model.FrequencyPositions, ContextSteps = 6 },
        Epochs = epochs, StepsPerEpoch = 6, BatchSize = 8, LearningRate = 3e-3, WarmupSteps = 5, Seed = 2, Threads = 1,
    };

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

[Collection(TorchCollection.Name)]
public class PriorTrainingTests(EncodedCorpusFixture data, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<EncodedCorpusFixture>
{
    [Fact]
    public void ValidationCrossEntropyBeatsTheUnigramEntropyAtEveryLevel()
    {
        var dir = Path.Combine(data.Root, "prior-" + Guid.NewGuid().ToString("N")[..6]);
        var reports = new List<PriorEpochReport>();
        new PriorTrainer(data.PriorConfig(epochs: 15), data.Train, data.Validation, dir).Run(CancellationToken.None, reports.Add);
        var best = reports.MinBy(r => r.ValidationBits)!;
        output.WriteLine($"epoch {best.Epoch}: " + string.Join(", ", best.LevelBits.Select((b, l) => $"L{l} {b:F3} bits vs unigram {best.UnigramBits[l]:F3}")));
        for (int l = 0; l < data.Model.Levels; l++)
            Assert.True(best.LevelBits[l] < best.UnigramBits[l],
                        $"level {l}: {best.LevelBits[l]:F3} bits/token vs unigram {best.UnigramBits[l]:F3}");
        Assert.All(best.UnigramBits, h => Assert.True(h > 1, $"codes collapsed: unigram entropy {h:F2} bits"));
        Assert.True(File.Exists(Path.Combine(dir, PriorTrainer.BestFile)));
    }

    [Fact]
    public void InterruptedAndResumedPriorEndsWithTheSameWeights()
    {
        var config = data.PriorConfig(epochs: 2);
        string whole = Path.Combine(data.Root, "whole-" + Guid.NewGuid().ToString("N")[..6]);
        new PriorTrainer(config, data.Train, data.Validation, whole).Run(CancellationToken.None);

        string parted = Path.Combine(data.Root, "parted-" + Guid.NewGuid().ToString("N")[..6]);
        var first = new PriorTrainer(config, data.Train, data.Validation, parted).Run(CancellationToken.None, stopAfterStep: 7);
        Assert.Equal(TrainingEnd.Interrupted, first.End);
        var (json, tensors) = Checkpoint.Load(Path.Combine(parted, PriorTrainer.CheckpointFile));
        var header = System.Text.Json.JsonSerializer.Deserialize<PriorCheckpointHeader>(json, Checkpoint.Json)!;
        new PriorTrainer(config, data.Train, data.Validation, parted, header.State, tensors).Run(CancellationToken.None);

        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, PriorTrainer.CheckpointFile)), File.ReadAllBytes(Path.Combine(parted, PriorTrainer.CheckpointFile)));
    }
}
