using Distill.Trainer.Autoencoder;
using Distill.Trainer.Pipeline;
using Distill.Trainer.Torch;

namespace Distill.Tests.Autoencoder;

[Collection(TorchCollection.Name)]
public class AutoencoderTrainerTests(SmallCorpusFixture data) : IClassFixture<SmallCorpusFixture>
{
    [Fact]
    public void SameSeedAndThreadsGiveABitIdenticalCheckpoint()
    {
        var config = data.TinyConfig();
        string Train(RunConfig c, string name)
        {
            string dir = data.NewRunDir(name);
            new AutoencoderTrainer(c, data.Corpus, dir, new NullObserver()).Run(CancellationToken.None);
            return dir;
        }
        byte[] Bytes(string dir) => File.ReadAllBytes(Path.Combine(dir, AutoencoderTrainer.CheckpointFile));
        Assert.Equal(Bytes(Train(config, "a")), Bytes(Train(config, "b")));
        Assert.NotEqual(Bytes(Train(config, "a")), Bytes(Train(data.TinyConfig(seed: 4), "c")));
    }

    [Fact]
    public void InterruptedAndResumedRunEndsWithTheSameWeights()
    {
        var config = data.TinyConfig();
        string whole = data.NewRunDir("whole");
        new AutoencoderTrainer(config, data.Corpus, whole, new NullObserver()).Run(CancellationToken.None);

        long stopAt = config.StepsPerEpoch + 2; // mid-epoch: exercises more than epoch-boundary resume
        string parted = data.NewRunDir("parted");
        var first = new AutoencoderTrainer(config, data.Corpus, parted, new NullObserver()).Run(CancellationToken.None, stopAt);
        Assert.Equal(TrainingEnd.Interrupted, first.End);
        var (json, tensors) = Checkpoint.Load(Path.Combine(parted, AutoencoderTrainer.CheckpointFile));
        var header = CheckpointHeader.FromJson(json);
        Assert.Equal(stopAt + 1, header.State.NextStep);
        var outcome = new AutoencoderTrainer(header.Config, data.Corpus, parted, new NullObserver(), header.State, tensors).Run(CancellationToken.None);

        Assert.Equal(TrainingEnd.Completed, outcome.End);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, AutoencoderTrainer.CheckpointFile)),
                     File.ReadAllBytes(Path.Combine(parted, AutoencoderTrainer.CheckpointFile)));
        // The resumed run appended to, not restarted, the metrics log.
        Assert.Equal(config.TotalSteps, File.ReadLines(Path.Combine(parted, "metrics.jsonl")).Count(l => l.Contains("\"train\"")));
    }

    [Fact]
    public void TrainingReducesTheLossAndReportsHealthPerLevel()
    {
        var config = data.TinyConfig(epochs: 4);
        var observer = new NullObserver();
        string dir = data.NewRunDir("learn");
        var outcome = new AutoencoderTrainer(config, data.Corpus, dir, observer).Run(CancellationToken.None);

        Assert.Equal(4, observer.Epochs.Count);
        // Training loss falls (validation is unseen textures for this tiny model: it only has to stay finite).
        double first = observer.Steps.Where(s => s.Epoch == 0).Average(s => s.Loss.Total);
        double last = observer.Steps.Where(s => s.Epoch == 3).Average(s => s.Loss.Total);
        Assert.True(last < first, $"training loss {first} → {last}");
        Assert.All(observer.Epochs, e => Assert.True(double.IsFinite(e.Validation.Total)));
        Assert.All(observer.Epochs, e => Assert.Equal(config.Model.Levels, e.Health.Length));
        Assert.All(observer.Epochs[^1].Health, h => Assert.InRange(h.UtilizationPercent, 1, 100));
        // Batch health every HealthEvery steps, never at step 0 (before k-means).
        Assert.Null(observer.Steps[0].BatchHealth);
        Assert.All(observer.Steps.Where(s => s.Step > 0 && s.Step % config.HealthEvery == 0), s => Assert.NotNull(s.BatchHealth));
        Assert.All(observer.Steps.Where(s => s.Step % config.HealthEvery != 0), s => Assert.Null(s.BatchHealth));
        Assert.Equal(TrainingEnd.Completed, outcome.End);
        Assert.True(File.Exists(Path.Combine(dir, "metrics.csv")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "tensorboard"), "events.out.tfevents.*"));
    }

    [Fact]
    public void AdversarialPhaseTrainsOnlyTheDecoderAndResumesExactly()
    {
        var config = data.TinyConfig(epochs: 3) with { AdversarialEpochs = 2 };
        long phaseStart = config.AdversarialFromStep;
        string before = data.NewRunDir("phase1");
        new AutoencoderTrainer(config, data.Corpus, before, new NullObserver()).Run(CancellationToken.None, phaseStart - 1);
        var observer = new NullObserver();
        string whole = data.NewRunDir("adversarial");
        new AutoencoderTrainer(config, data.Corpus, whole, observer).Run(CancellationToken.None);

        // The critic reports from the phase's first step on, and only then.
        Assert.All(observer.Steps, s => Assert.Equal(s.Step >= phaseStart, s.Adversarial is not null));
        Assert.All(observer.Steps.Where(s => s.Adversarial is not null),
                   s => Assert.True(double.IsFinite(s.Adversarial!.Discriminator) && s.Adversarial.FeatureMatching >= 0));

        // Encoder and codebooks are where the first phase left them (the prior's codes stay put); the decoder moved.
        var (_, atStart) = Checkpoint.Load(Path.Combine(before, AutoencoderTrainer.CheckpointFile));
        var (_, atEnd) = Checkpoint.Load(Path.Combine(whole, AutoencoderTrainer.CheckpointFile));
        bool Same(string name) => atStart[name].equal(atEnd[name]).all().item<bool>();
        var encoderAndCodes = atStart.Keys.Where(k => k.StartsWith("model.Encoder.") || k.StartsWith("model.Quantizer."))
                                          .ToArray();
        Assert.NotEmpty(encoderAndCodes);
        Assert.All(encoderAndCodes, k => Assert.True(Same(k), $"{k} changed in the adversarial phase"));
        Assert.Contains(atStart.Keys.Where(k => k.StartsWith("model.Decoder.") && k.EndsWith("weight")), k => !Same(k));

        // Stopped inside the phase and resumed: the same bytes, critic and its optimizer included.
        string parted = data.NewRunDir("adversarial-parted");
        new AutoencoderTrainer(config, data.Corpus, parted, new NullObserver()).Run(CancellationToken.None, phaseStart + 1);
        var (json, tensors) = Checkpoint.Load(Path.Combine(parted, AutoencoderTrainer.CheckpointFile));
        Assert.Contains(tensors.Keys, k => k.StartsWith("discriminator_adam."));
        var header = CheckpointHeader.FromJson(json);
        new AutoencoderTrainer(header.Config, data.Corpus, parted, new NullObserver(), header.State, tensors)
            .Run(CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, AutoencoderTrainer.CheckpointFile)),
                     File.ReadAllBytes(Path.Combine(parted, AutoencoderTrainer.CheckpointFile)));
    }

    [Fact]
    public void LowUtilizationIsWarnedOnlyAfterTheFirstEpoch()
    {
        // An impossible threshold makes every level "low": warnings must start at epoch 1.
        var config = data.TinyConfig(epochs: 3) with { LowUtilizationPercent = 101 };
        var outcome = new AutoencoderTrainer(config, data.Corpus, data.NewRunDir("util"), new NullObserver()).Run(CancellationToken.None);
        Assert.Equal(2 * config.Model.Levels, outcome.UtilizationWarnings.Count);
        Assert.DoesNotContain(outcome.UtilizationWarnings, w => w.StartsWith("epoch 0"));
    }
}
