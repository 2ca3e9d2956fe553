using Distill.Trainer.Data;

namespace Distill.Tests.Data;

public class DataSplitTests
{
    [Fact]
    public void SplitIsByWholeFilesDisjointAndReproducible()
    {
        var a = DataSplit.ByFile(20, seed: 7);
        var b = DataSplit.ByFile(20, seed: 7);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Validation, b.Validation);
        Assert.Empty(a.Train.Intersect(a.Validation));
        Assert.Equal(Enumerable.Range(0, 20), a.Train.Concat(a.Validation).Order());
        Assert.Equal(3, a.Validation.Length);
        Assert.NotEqual(a.Validation, DataSplit.ByFile(20, seed: 8).Validation);
    }

    [Fact]
    public void TinyDatasetsValidateOnTheirTrainingFiles()
    {
        var s = DataSplit.ByFile(3, seed: 1);
        Assert.Equal(new[] { 0, 1, 2 }, s.Train);
        Assert.True(s.ValidatesOnTraining);
    }
}
