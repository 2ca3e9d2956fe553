using Distill.Runtime.Evaluation;
using static Distill.Tests.Evaluation.SymmetricEigenTests;

namespace Distill.Tests.Evaluation;

public class FrechetDistanceTests
{
    static double[,] Diagonal(double[] values)
    {
        var m = new double[values.Length, values.Length];
        for (int i = 0; i < values.Length; i++) m[i, i] = values[i];
        return m;
    }

    /// <summary>‖μ₁ − μ₂‖² + Σ(√a − √b)²: the distance of Gaussians with diagonal covariances.</summary>
    static double DiagonalClosedForm(double[] m1, double[] a, double[] m2, double[] b) =>
        Enumerable.Range(0, m1.Length).Sum(i => Math.Pow(m1[i] - m2[i], 2) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2));

    static readonly double[] MeanA = [1, -2, 0.5, 3], MeanB = [0, 1, 0.5, -1];
    static readonly double[] VarianceA = [4, 1, 9, 0.25], VarianceB = [1, 1, 16, 2];

    [Fact]
    public void DiagonalGaussiansHaveTheirClosedFormDistance()
    {
        double expected = DiagonalClosedForm(MeanA, VarianceA, MeanB, VarianceB);
        Assert.Equal(expected, FrechetDistance.Between(new Gaussian(MeanA, Diagonal(VarianceA)),
                                                       new Gaussian(MeanB, Diagonal(VarianceB))), 9);
        // One dimension: (μ₁ − μ₂)² + (σ₁ − σ₂)².
        Assert.Equal(9 + 1, FrechetDistance.Between(new Gaussian([3], Diagonal([4])), new Gaussian([0], Diagonal([1]))),
                     12);
    }

    /// <summary>The distance does not change when both Gaussians turn together, so full covariances rotated from
    /// diagonal ones keep the closed form: this exercises the matrix square roots.</summary>
    [Fact]
    public void RotatingBothGaussiansTogetherKeepsTheDistance()
    {
        var q = RandomRotation(4, seed: 8);
        double[] Turn(double[] x) =>
            Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 4).Sum(k => q[i, k] * x[k])).ToArray();
        var a = new Gaussian(Turn(MeanA), Compose(q, VarianceA));
        var b = new Gaussian(Turn(MeanB), Compose(q, VarianceB));
        Assert.Equal(DiagonalClosedForm(MeanA, VarianceA, MeanB, VarianceB), FrechetDistance.Between(a, b), 9);
        Assert.Equal(FrechetDistance.Between(a, b), FrechetDistance.Between(b, a), 9);
    }

    [Fact]
    public void IdenticalPointSetsAreZeroApartAndAShiftedSetIsItsShiftSquared()
    {
        var random = new Random(9);
        var points = Enumerable.Range(0, 500 * 8).Select(_ => random.NextDouble() * 10 - 5).ToArray();
        var fitted = Gaussian.Fit(points, 8);
        Assert.Equal(0, FrechetDistance.Between(fitted, Gaussian.Fit(points, 8)), 7);
        // Adding 2 to every coordinate moves the mean by √(8·4) and leaves the covariance.
        var shifted = Gaussian.Fit(points.Select(v => v + 2).ToArray(), 8);
        Assert.Equal(32, FrechetDistance.Between(fitted, shifted), 7);
    }

    [Fact]
    public void AFitIsTheMeanAndTheSampleCovariance()
    {
        var g = Gaussian.Fit([1, 2, 3, 6], 2);
        Assert.Equal([2, 4], g.Mean);
        // (n − 1) = 1: deviations (∓1, ∓2).
        Assert.Equal(new double[,] { { 2, 4 }, { 4, 8 } }, g.Covariance);
    }
}
