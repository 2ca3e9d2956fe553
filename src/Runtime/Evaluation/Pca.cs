namespace Distill.Runtime.Evaluation;

/// <summary>
/// Principal component analysis: the mean of the fitted points and the eigenvectors of their covariance with the
/// largest eigenvalues (<see cref="Variances"/>, largest first), onto which points are projected after centring.
/// </summary>
public sealed record Pca(double[] Mean, double[,] Axes, double[] Variances)
{
    public int Dimensions => Mean.Length;
    public int Components => Variances.Length;

    /// <summary>The <paramref name="components"/> principal axes of <paramref name="points"/>, point-major. An axis's
    /// sign is its eigenvector's, which is arbitrary: only distances between projected points mean anything.</summary>
    public static Pca Fit(ReadOnlySpan<double> points, int dimensions, int components)
    {
        if (components <= 0 || components > dimensions)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"1 to {dimensions}");
        var gaussian = Gaussian.Fit(points, dimensions);
        var eigen = SymmetricEigen.Of(gaussian.Covariance);
        var axes = new double[components, dimensions];
        for (int c = 0; c < components; c++)
            for (int i = 0; i < dimensions; i++) axes[c, i] = eigen.Vectors[i, c];
        return new Pca(gaussian.Mean, axes, eigen.Values[..components]);
    }

    /// <summary>Each point's coordinates along the axes, point-major [point · <see cref="Components"/> + axis].</summary>
    public double[] Project(ReadOnlySpan<double> points)
    {
        if (points.Length % Dimensions != 0)
            throw new ArgumentException($"{points.Length} values are not whole points of {Dimensions}",
                                        nameof(points));
        int count = points.Length / Dimensions;
        var projected = new double[count * Components];
        for (int n = 0; n < count; n++)
        {
            var point = points.Slice(n * Dimensions, Dimensions);
            for (int c = 0; c < Components; c++)
            {
                double sum = 0;
                for (int i = 0; i < Dimensions; i++) sum += (point[i] - Mean[i]) * Axes[c, i];
                projected[n * Components + c] = sum;
            }
        }
        return projected;
    }
}
