namespace MoCo.Cli.Report;

/// <summary>Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (Golub &amp; Van Loan §8.5).</summary>
internal static class SymmetricEigen
{
    /// <summary>Eigenvalues (unsorted) and the eigenvectors as the columns of the second result.</summary>
    public static (double[] Values, double[,] Vectors) Jacobi(double[,] matrix, int sweeps = 100)
    {
        var n = matrix.GetLength(0);
        if (matrix.GetLength(1) != n) throw new ArgumentException($"a {n} x {matrix.GetLength(1)} matrix is not square.", nameof(matrix));
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (var i = 0; i < n; i++) v[i, i] = 1;
        for (var sweep = 0; sweep < sweeps; sweep++)
        {
            double off = 0, scale = 0;
            for (var p = 0; p < n; p++)
            {
                for (var q = 0; q < n; q++)
                {
                    if (p != q) off += a[p, q] * a[p, q];
                    scale += a[p, q] * a[p, q];
                }
            }

            if (off <= 1e-30 * Math.Max(scale, 1e-300)) break;
            for (var p = 0; p < n - 1; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    if (a[p, q] == 0) continue;
                    // The rotation that zeroes a[p, q]: tan 2θ = 2a_pq / (a_qq − a_pp), the smaller root for stability.
                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt((theta * theta) + 1));
                    var c = 1 / Math.Sqrt((t * t) + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++)
                    {
                        var akp = a[k, p];
                        var akq = a[k, q];
                        a[k, p] = (c * akp) - (s * akq);
                        a[k, q] = (s * akp) + (c * akq);
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var apk = a[p, k];
                        var aqk = a[q, k];
                        a[p, k] = (c * apk) - (s * aqk);
                        a[q, k] = (s * apk) + (c * aqk);
                    }

                    for (var k = 0; k < n; k++)
                    {
                        var vkp = v[k, p];
                        var vkq = v[k, q];
                        v[k, p] = (c * vkp) - (s * vkq);
                        v[k, q] = (s * vkp) + (c * vkq);
                    }
                }
            }
        }

        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = a[i, i];
        return (values, v);
    }
}
