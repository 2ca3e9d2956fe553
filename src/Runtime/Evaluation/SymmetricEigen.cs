namespace Distill.Runtime.Evaluation;

/// <summary>
/// The eigen decomposition A = V·diag(Values)·Vᵀ of a real symmetric matrix by cyclic Jacobi rotations: slow for
/// large matrices but simple, accurate to rounding for the covariances the measures use (at most 128 × 128), and
/// always orthogonal. Values are sorted largest first; column i of <see cref="Vectors"/> belongs to Values[i].
/// </summary>
public sealed record SymmetricEigen(double[] Values, double[,] Vectors)
{
    /// <summary>Sweeps are stopped here even if rounding keeps the off-diagonal above the tolerance; Jacobi
    /// converges quadratically, so a matrix needs about 10.</summary>
    const int MaxSweeps = 50;
    /// <summary>Done when the off-diagonal's Frobenius norm is this far below the matrix's.</summary>
    const double Tolerance = 1e-14;

    public static SymmetricEigen Of(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException("The matrix is not square.", nameof(matrix));
        var a = (double[,])matrix.Clone();
        var v = Identity(n);
        double total = 0;
        foreach (double x in a) total += x * x;
        for (int sweep = 0; sweep < MaxSweeps && OffDiagonal(a) > Tolerance * Tolerance * total; sweep++)
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    if (a[p, q] != 0) Rotate(a, v, p, q);
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i, i]).ToArray();
        var vectors = new double[n, n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) vectors[i, j] = v[i, order[j]];
        return new SymmetricEigen(order.Select(i => a[i, i]).ToArray(), vectors);
    }

    /// <summary>The rotation in the (p, q) plane that zeroes a[p, q], applied as A ← PᵀAP and V ← VP (Golub and
    /// Van Loan's symmetric Schur step, the smaller of the two angles for stability).</summary>
    static void Rotate(double[,] a, double[,] v, int p, int q)
    {
        int n = a.GetLength(0);
        double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
        double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double kp = a[k, p], kq = a[k, q];
            a[k, p] = c * kp - s * kq;
            a[k, q] = s * kp + c * kq;
        }
        for (int k = 0; k < n; k++)
        {
            double pk = a[p, k], qk = a[q, k];
            a[p, k] = c * pk - s * qk;
            a[q, k] = s * pk + c * qk;
        }
        for (int k = 0; k < n; k++)
        {
            double kp = v[k, p], kq = v[k, q];
            v[k, p] = c * kp - s * kq;
            v[k, q] = s * kp + c * kq;
        }
        // Zero by construction; rounding would leave a residue for the next sweep to chase.
        a[p, q] = a[q, p] = 0;
    }

    static double OffDiagonal(double[,] a)
    {
        double sum = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(0); j++)
                if (i != j) sum += a[i, j] * a[i, j];
        return sum;
    }

    static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (int i = 0; i < n; i++) m[i, i] = 1;
        return m;
    }

    /// <summary>V·diag(f(Values))·Vᵀ: a function of the matrix, such as its square root.</summary>
    public double[,] Apply(Func<double, double> f)
    {
        int n = Values.Length;
        var fv = Values.Select(f).ToArray();
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += Vectors[i, k] * fv[k] * Vectors[j, k];
                m[i, j] = sum;
            }
        return m;
    }
}
