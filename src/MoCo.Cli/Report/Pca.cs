using MoCo.Evaluation;

namespace MoCo.Cli.Report;

/// <summary>
/// The first two principal components of a set of feature rows: the axes of the report's 2-D map. Subspace iteration
/// on the centred rows in doubles (Xᵀ(X·V) without forming the D × D covariance), a block of
/// <see cref="Block"/> vectors re-orthonormalised each step, then Rayleigh–Ritz on the block so the two leading
/// directions come out sorted by variance. Each component's sign is fixed so its largest loading is positive.
/// </summary>
internal static class Pca
{
    /// <summary>Vectors iterated together: more than two, so convergence goes with λ₅/λ₂ rather than λ₃/λ₂.</summary>
    private const int Block = 4;

    /// <summary>The two components (unit D-vectors), the variance along each, and the mean that was removed.</summary>
    internal sealed record Result(double[] First, double[] Second, double FirstVariance, double SecondVariance, double TotalVariance, double[] Mean)
    {
        /// <summary>(x, y) of <paramref name="row"/> on the two components.</summary>
        public (double X, double Y) Project(ReadOnlySpan<float> row)
        {
            double x = 0, y = 0;
            for (var d = 0; d < row.Length; d++)
            {
                var v = row[d] - Mean[d];
                x += v * First[d];
                y += v * Second[d];
            }

            return (x, y);
        }
    }

    /// <summary>The two leading components of <paramref name="rows"/> (at least two rows of at least two features).</summary>
    public static Result TopTwo(FeatureMatrix rows, int maxIterations = 500, double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Rows < 2 || rows.Columns < 2) throw new ArgumentException($"a 2-D map needs at least 2 rows of 2 features, got {rows.Rows} x {rows.Columns}.", nameof(rows));
        int n = rows.Rows, dim = rows.Columns, k = Math.Min(Block, dim);
        var mean = new double[dim];
        for (var i = 0; i < n; i++)
        {
            var row = rows.Row(i);
            for (var d = 0; d < dim; d++) mean[d] += row[d];
        }

        for (var d = 0; d < dim; d++) mean[d] /= n;
        var x = new double[n * dim];
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            var row = rows.Row(i);
            for (var d = 0; d < dim; d++)
            {
                var v = row[d] - mean[d];
                x[(i * dim) + d] = v;
                total += v * v;
            }
        }

        // A fixed start (not random): row-independent, reproducible; Gram–Schmidt makes it a basis.
        var basis = new double[k][];
        for (var j = 0; j < k; j++) basis[j] = Enumerable.Range(0, dim).Select(d => Math.Cos((d + 1) * (j + 1) * 0.7) + (d == j ? 1 : 0)).ToArray();
        Orthonormalise(basis);
        for (var it = 0; it < maxIterations; it++)
        {
            var next = basis.Select(v => Covariance(x, n, dim, v)).ToArray();
            Orthonormalise(next);
            var change = 0.0;
            for (var j = 0; j < 2; j++) change = Math.Max(change, 1 - Math.Abs(Dot(next[j], basis[j])));
            basis = next;
            if (change < tolerance) break;
        }

        // Rayleigh–Ritz: the k × k matrix Vᵀ C V, its eigenvectors rotate the block into the principal directions.
        var images = basis.Select(v => Covariance(x, n, dim, v)).ToArray();
        var small = new double[k, k];
        for (var a = 0; a < k; a++)
        {
            for (var b = 0; b < k; b++) small[a, b] = Dot(basis[a], images[b]);
        }

        var (values, vectors) = SymmetricEigen.Jacobi(small);
        var order = Enumerable.Range(0, k).OrderByDescending(i => values[i]).ToArray();
        double[] Component(int c)
        {
            var v = new double[dim];
            for (var j = 0; j < k; j++)
            {
                for (var d = 0; d < dim; d++) v[d] += vectors[j, c] * basis[j][d];
            }

            var largest = v.MaxBy(Math.Abs);
            if (largest < 0) for (var d = 0; d < dim; d++) v[d] = -v[d];
            return v;
        }

        return new Result(Component(order[0]), Component(order[1]), values[order[0]], values[order[1]], total / (n - 1), mean);
    }

    /// <summary>C·v with C = XᵀX / (n − 1), X the centred rows.</summary>
    private static double[] Covariance(double[] x, int n, int dim, double[] v)
    {
        var result = new double[dim];
        for (var i = 0; i < n; i++)
        {
            var row = x.AsSpan(i * dim, dim);
            double s = 0;
            for (var d = 0; d < dim; d++) s += row[d] * v[d];
            for (var d = 0; d < dim; d++) result[d] += s * row[d];
        }

        for (var d = 0; d < dim; d++) result[d] /= n - 1;
        return result;
    }

    /// <summary>Modified Gram–Schmidt, in place; a vector that vanishes is replaced by a unit axis it is not yet near.</summary>
    private static void Orthonormalise(double[][] vectors)
    {
        for (var j = 0; j < vectors.Length; j++)
        {
            for (var attempt = 0; ; attempt++)
            {
                for (var p = 0; p < j; p++)
                {
                    var dot = Dot(vectors[j], vectors[p]);
                    for (var d = 0; d < vectors[j].Length; d++) vectors[j][d] -= dot * vectors[p][d];
                }

                var norm = Math.Sqrt(Dot(vectors[j], vectors[j]));
                if (norm > 1e-12)
                {
                    for (var d = 0; d < vectors[j].Length; d++) vectors[j][d] /= norm;
                    break;
                }

                // The data has fewer directions than the block (rank-deficient): any orthogonal unit vector will do.
                Array.Clear(vectors[j]);
                vectors[j][(j + attempt) % vectors[j].Length] = 1;
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (var d = 0; d < a.Length; d++) s += a[d] * b[d];
        return s;
    }
}
