using Distill.Trainer.Torch;

namespace Distill.Tests.Torch;

public class StepSeedTests
{
    [Fact]
    public void StepSeedsAreFixedNumbersNotPerProcessHashes()
    {
        // Literal values: a per-process randomised hash (HashCode.Combine) would break resuming a run in a new process.
        Assert.Equal(TrainingSchedule.StepSeed(1, 0), TrainingSchedule.StepSeed(1, 0));
        var seeds = Enumerable.Range(0, 1000).Select(s => TrainingSchedule.StepSeed(1, s)).ToArray();
        Assert.Equal(1000, seeds.Distinct().Count());
        Assert.Equal(2059515600, TrainingSchedule.StepSeed(7, 123));
    }
}
