using Distill.Trainer.Training;

namespace Distill.Tests.Training;

[Collection(TorchCollection.Name)]
public class AutoencoderTrainerTests(SmallCorpusFixture data) : IClassFixture<SmallCorpusFixture>
{
    string Train(RunConfig config, string name, long? stopAfterStep = null)
    {
        string dir = data.NewRunDir(name);
        new AutoencoderTrainer(config, data.Corpus, dir, new NullObserver()).Run(CancellationToken.None, stopAfterStep);
        return dir;
    }

    static byte[] CheckpointBytes(string dir) => File.ReadAllBytes(Path.Combine(dir, AutoencoderTrainer.CheckpointFile));

    [Fact]
    public void SameSeedAndThreadsGiveABitIdenticalCheckpoint()
    {
        var config = data.TinyConfig();
        Assert.Equal(CheckpointBytes(Train(config, "a")), CheckpointBytes(Train(config, "b")));
        Assert.NotEqual(CheckpointBytes(Train(config, "a")), CheckpointBytes(Train(data.TinyConfig(seed: 4), "c")));
    }

    [Fact]
    public void InterruptedAndResumedRunEndsWithTheSameWeights()
    {
        var config = data.TinyConfig();
        string whole = Train(config, "whole");

        long stopAt = config.StepsPerEpoch + 2; // mid-epoch: exercises more than epoch-boundary resume
        string parted = Train(config, "parted", stopAfterStep: stopAt);
        var (json, tensors) = Checkpoint.Load(Path.Combine(parted, AutoencoderTrainer.CheckpointFile));
        var header = CheckpointHeader.FromJson(json);
        Assert.Equal(stopAt + 1, header.State.NextStep);
        var outcome = new AutoencoderTrainer(header.Config, data.Corpus, parted, new NullObserver(), header, tensors).Run(CancellationToken.None);

        Assert.Equal(TrainingEnd.Completed, outcome.End);
        Assert.Equal(CheckpointBytes(whole), CheckpointBytes(parted));
        // The resumed run appended to, not restarted, the metrics log.
        var steps = File.ReadLines(Path.Combine(parted, "metrics.jsonl")).Count(l => l.Contains("\"train\""));
        Assert.Equal(config.TotalSteps, steps);
    }

    [Fact]
    public void TrainingReducesValidationLossAndReportsHealthPerLevel()
    {
        var config = data.TinyConfig(epochs: 4);
        var observer = new NullObserver();
        string dir = data.NewRunDir("learn");
        var outcome = new AutoencoderTrainer(config, data.Corpus, dir, observer).Run(CancellationToken.None);

        Assert.Equal(4, observer.Epochs.Count);
        Assert.True(observer.Epochs[^1].Validation.Total < observer.Epochs[0].Validation.Total,
                    $"validation loss {observer.Epochs[0].Validation.Total} → {observer.Epochs[^1].Validation.Total}");
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
    public void LowUtilizationIsWarnedOnlyAfterTheFirstEpoch()
    {
        // An impossible threshold makes every level "low": warnings must start at epoch 1.
        var config = data.TinyConfig(epochs: 3) with { LowUtilizationPercent = 101 };
        var outcome = new AutoencoderTrainer(config, data.Corpus, data.NewRunDir("util"), new NullObserver()).Run(CancellationToken.None);
        Assert.Equal(2 * config.Model.Levels, outcome.UtilizationWarnings.Count);
        Assert.DoesNotContain(outcome.UtilizationWarnings, w => w.StartsWith("epoch 0"));
    }
}
