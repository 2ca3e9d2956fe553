using Distill.Runtime.Evaluation;

namespace Distill.Tests.Evaluation;

public class SymmetricEigenTests
{
    /// <summary>A random orthogonal matrix, the same for a seed: Gram–Schmidt on uniform columns.</summary>
    internal static double[,] RandomRotation(int n, int seed)
    {
        var random = new Random(seed);
        var q = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++) q[i, j] = 2 * random.NextDouble() - 1;
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[i, j] * q[i, k];
                for (int i = 0; i < n; i++) q[i, j] -= dot * q[i, k];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[i, j] * q[i, j];
            for (int i = 0; i < n; i++) q[i, j] /= Math.Sqrt(norm);
        }
        return q;
    }

    /// <summary>Q·diag(values)·Qᵀ.</summary>
    internal static double[,] Compose(double[,] q, double[] values)
    {
        int n = values.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i, j] += q[i, k] * values[k] * q[j, k];
        return a;
    }

    [Fact]
    public void ATwoByTwoMatrixHasItsClosedFormPairs()
    {
        var e = SymmetricEigen.Of(new double[,] { { 2, 1 }, { 1, 2 } });
        Assert.Equal([3, 1], e.Values.Select(v => Math.Round(v, 12)));
        double r = 1 / Math.Sqrt(2);
        Assert.Equal(r, Math.Abs(e.Vectors[0, 0]), 12);
        Assert.Equal(e.Vectors[0, 0], e.Vectors[1, 0], 12); // (1, 1)/√2 for 3
        Assert.Equal(e.Vectors[0, 1], -e.Vectors[1, 1], 12); // (1, −1)/√2 for 1
    }

    [Fact]
    public void AMatrixMadeFromKnownPairsGivesThemBack()
    {
        double[] values = [-1, 9, 0.5, 3, 2, 5];
        var q = RandomRotation(values.Length, seed: 5);
        var e = SymmetricEigen.Of(Compose(q, values));
        Assert.Equal(values.OrderDescending(), e.Values.Select(v => Math.Round(v, 10)));
        for (int j = 0; j < values.Length; j++)
        {
            // The eigenvector of the j-th largest value is Q's column for it, up to sign.
            int column = Array.IndexOf(values, values.OrderDescending().ElementAt(j));
            double dot = 0;
            for (int i = 0; i < values.Length; i++) dot += e.Vectors[i, j] * q[i, column];
            Assert.Equal(1, Math.Abs(dot), 10);
        }
    }

    [Fact]
    public void ALargeCovarianceIsRebuiltFromItsDecomposition()
    {
        const int N = 128;
        var values = Enumerable.Range(0, N).Select(i => 100 * Math.Exp(-i / 10.0)).ToArray();
        var a = Compose(RandomRotation(N, seed: 6), values);
        var e = SymmetricEigen.Of(a);
        var rebuilt = e.Apply(v => v);
        double error = 0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) error = Math.Max(error, Math.Abs(rebuilt[i, j] - a[i, j]));
        Assert.True(error < 1e-10, $"largest error {error}");
        for (int i = 0; i < N; i++) Assert.Equal(values[i], e.Values[i], 9);
        // The vectors are orthonormal: VᵀV = I.
        for (int p = 0; p < N; p += 17)
            for (int q = 0; q < N; q += 13)
            {
                double dot = 0;
                for (int i = 0; i < N; i++) dot += e.Vectors[i, p] * e.Vectors[i, q];
                Assert.Equal(p == q ? 1 : 0, dot, 10);
            }
    }

    [Fact]
    public void TheSquareRootSquaresBackToTheMatrix()
    {
        var a = Compose(RandomRotation(5, seed: 7), [4, 1, 0.25, 9, 2]);
        var root = SymmetricEigen.Of(a).Apply(Math.Sqrt);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                double sum = 0;
                for (int k = 0; k < 5; k++) sum += root[i, k] * root[k, j];
                Assert.Equal(a[i, j], sum, 10);
            }
    }
}
