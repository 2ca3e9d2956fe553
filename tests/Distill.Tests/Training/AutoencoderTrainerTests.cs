using Distill.Trainer.Training;

namespace Distill.Tests.Training;

[Collection(TorchCollection.Name)]
/// <summary>The loop's behaviour in process; bit-exact reproducibility and resume are checked on the
/// real CLI in <c>TrainCommandTests</c>, one process per run as a user would run them.</summary>
public class AutoencoderTrainerTests(SmallCorpusFixture data) : IClassFixture<SmallCorpusFixture>
{
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
    public void LowUtilizationIsWarnedOnlyAfterTheFirstEpoch()
    {
        // An impossible threshold makes every level "low": warnings must start at epoch 1.
        var config = data.TinyConfig(epochs: 3) with { LowUtilizationPercent = 101 };
        var outcome = new AutoencoderTrainer(config, data.Corpus, data.NewRunDir("util"), new NullObserver()).Run(CancellationToken.None);
        Assert.Equal(2 * config.Model.Levels, outcome.UtilizationWarnings.Count);
        Assert.DoesNotContain(outcome.UtilizationWarnings, w => w.StartsWith("epoch 0"));
    }
}
