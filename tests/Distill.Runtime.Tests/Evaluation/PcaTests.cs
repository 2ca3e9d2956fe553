using Distill.Runtime.Evaluation;

namespace Distill.Tests.Evaluation;

public class PcaTests
{
    /// <summary>Points spread far along (3, 4, 0)/5 around (1, 2, 3), with a little noise in every direction.</summary>
    static double[] AlongOneAxis(int count, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var points = new double[count * 3];
        for (int n = 0; n < count; n++)
        {
            double t = 10 * Normal();
            points[3 * n] = 1 + 0.6 * t + 0.1 * Normal();
            points[3 * n + 1] = 2 + 0.8 * t + 0.1 * Normal();
            points[3 * n + 2] = 3 + 0.1 * Normal();
        }
        return points;
    }

    [Fact]
    public void TheFirstAxisIsTheDominantDirection()
    {
        var points = AlongOneAxis(4000, seed: 10);
        var pca = Pca.Fit(points, 3, 2);
        Assert.Equal(2, pca.Components);
        Assert.Equal(1, Math.Abs(0.6 * pca.Axes[0, 0] + 0.8 * pca.Axes[0, 1]), 3);
        Assert.True(Math.Abs(pca.Axes[0, 2]) < 0.01, $"{pca.Axes[0, 2]}");
        // Variance 100 along it, 0.01 across it.
        Assert.InRange(pca.Variances[0], 90, 110);
        Assert.InRange(pca.Variances[1], 0.008, 0.012);
        Assert.Equal([1, 2, 3], pca.Mean.Select(v => Math.Round(v, 0)));
    }

    [Fact]
    public void ProjectedPointsAreCentredWithTheAxesVariances()
    {
        var points = AlongOneAxis(2000, seed: 11);
        var pca = Pca.Fit(points, 3, 3);
        var projected = Pca.Fit(points, 3, 3).Project(points);
        var g = Gaussian.Fit(projected, 3);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(0, g.Mean[c], 9);
            Assert.Equal(pca.Variances[c], g.Covariance[c, c], 9);
            for (int d = 0; d < c; d++) Assert.Equal(0, g.Covariance[c, d], 9);
        }
        // The mean itself projects to the origin.
        Assert.All(pca.Project(pca.Mean), v => Assert.Equal(0, v, 12));
    }
}
