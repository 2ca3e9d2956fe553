namespace Distill.Runtime.Evaluation;

/// <summary>
/// The Fréchet (2-Wasserstein) distance between two Gaussians, as FID and FAD compute it:
/// ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½). Squared units of the points (here dB² of PCA'd log-mel frames).
/// </summary>
public static class FrechetDistance
{
    public static double Between(Gaussian a, Gaussian b)
    {
        int n = a.Dimensions;
        if (b.Dimensions != n)
            throw new ArgumentException($"{a.Dimensions} against {b.Dimensions} dimensions", nameof(b));
        double distance = 0;
        for (int i = 0; i < n; i++)
        {
            double d = a.Mean[i] - b.Mean[i];
            distance += d * d + a.Covariance[i, i] + b.Covariance[i, i];
        }
        // Σ₁^½ Σ₂ Σ₁^½ is symmetric positive semi-definite, unlike Σ₁Σ₂, so its root comes from a symmetric
        // eigen decomposition; eigenvalues that rounding made slightly negative are zero.
        var rootA = SymmetricEigen.Of(a.Covariance).Apply(v => Math.Sqrt(Math.Max(v, 0)));
        var product = Symmetrised(Multiply(Multiply(rootA, b.Covariance), rootA));
        foreach (double v in SymmetricEigen.Of(product).Values) distance -= 2 * Math.Sqrt(Math.Max(v, 0));
        // Rounding can leave identical Gaussians a hair below zero; a distance is not negative.
        return Math.Max(distance, 0);
    }

    static double[,] Multiply(double[,] x, double[,] y)
    {
        int n = x.GetLength(0);
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                double xik = x[i, k];
                for (int j = 0; j < n; j++) m[i, j] += xik * y[k, j];
            }
        return m;
    }

    static double[,] Symmetrised(double[,] x)
    {
        int n = x.GetLength(0);
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i, j] = (x[i, j] + x[j, i]) / 2;
        return m;
    }
}
