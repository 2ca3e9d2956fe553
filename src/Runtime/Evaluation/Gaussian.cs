namespace Distill.Runtime.Evaluation;

/// <summary>A multivariate Gaussian fitted to points: their mean and their sample covariance (divided by n − 1, as
/// numpy's <c>cov</c> and the Fréchet distances published with it).</summary>
public sealed record Gaussian(double[] Mean, double[,] Covariance)
{
    public int Dimensions => Mean.Length;

    /// <summary>Fits <paramref name="points"/>, point-major [point · dimensions + dimension]. One point has zero
    /// covariance; none has no mean, and is refused.</summary>
    public static Gaussian Fit(ReadOnlySpan<double> points, int dimensions)
    {
        if (dimensions <= 0 || points.Length % dimensions != 0)
            throw new ArgumentException($"{points.Length} values are not whole points of {dimensions}",
                                        nameof(points));
        int count = points.Length / dimensions;
        if (count == 0) throw new ArgumentException("No points to fit.", nameof(points));
        var mean = new double[dimensions];
        for (int n = 0; n < count; n++)
            for (int i = 0; i < dimensions; i++) mean[i] += points[n * dimensions + i];
        for (int i = 0; i < dimensions; i++) mean[i] /= count;
        var covariance = new double[dimensions, dimensions];
        var centred = new double[dimensions];
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < dimensions; i++) centred[i] = points[n * dimensions + i] - mean[i];
            for (int i = 0; i < dimensions; i++)
                for (int j = i; j < dimensions; j++) covariance[i, j] += centred[i] * centred[j];
        }
        double divisor = Math.Max(1, count - 1);
        for (int i = 0; i < dimensions; i++)
            for (int j = i; j < dimensions; j++) covariance[j, i] = covariance[i, j] /= divisor;
        return new Gaussian(mean, covariance);
    }
}
