using Distill.Runtime.Demo;
using Distill.Runtime.Dsp;
using Distill.Trainer.Autoencoder;
using Distill.Trainer.Data;
using Distill.Trainer.Pipeline;

namespace Distill.Tests;

/// <summary>The demo corpus at 2 s per file, generated once per test class, and a tiny model
/// configuration that trains in seconds.</summary>
public sealed class SmallCorpusFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("distill-train-tests").FullName;
    public string Folder => Path.Combine(Root, "corpus");
    public Corpus Corpus { get; }

    public SmallCorpusFixture()
    {
        DemoCorpus.Generate(Folder, seed: 1, secondsPerFile: 2.0);
        Corpus = Corpus.Load(Folder, new FeatureConfig());
    }

    /// <summary>A tiny model trained for a few steps, at a fixed learning rate: its tests need it to learn something
    /// in 2–3 epochs, which the small-corpus default (1e-3, for full runs) is too gentle for.</summary>
    public RunConfig TinyConfig(int epochs = 2, int seed = 3) =>
        RunConfig.Resolve(new TrainOptions { Folder = Folder, RunDir = Root, Epochs = epochs, BatchSize = 4, Threads = 1, Seed = seed, LearningRate = 2e-3 }, Corpus) with
        {
            Model = new AutoencoderConfig { StemChannels = 4, StageChannels = new[] { 8, 8, 16, 16 }, LatentDim = 8, CodebookSize = 16, StftHeadChannels = 1 },
            WarmupSteps = 4,
            HealthEvery = 3,
        };

    public string NewRunDir(string name) => Directory.CreateDirectory(Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6])).FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
