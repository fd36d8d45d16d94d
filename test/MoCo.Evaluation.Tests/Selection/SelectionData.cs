namespace MoCo.Evaluation.Tests.Selection;

/// <summary>Feature fixtures for the selection tests, generated from a seed.</summary>
internal static class SelectionData
{
    /// <summary>Uniform values in [-1, 1).</summary>
    public static FeatureMatrix Uniform(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        return new FeatureMatrix(Enumerable.Range(0, rows * columns).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray(), rows, columns);
    }

    /// <summary>Gaussian blobs around random unit directions: blob b holds sizes[b] rows (in blob order), spread
    /// <paramref name="spread"/> per coordinate. Returns the features and each row's blob.</summary>
    public static (FeatureMatrix Features, int[] Blob) Blobs(int[] sizes, int columns, double spread, int seed)
    {
        var rng = new Random(seed);
        var rows = sizes.Sum();
        var values = new float[rows * columns];
        var blob = new int[rows];
        var row = 0;
        for (var b = 0; b < sizes.Length; b++)
        {
            var centre = Enumerable.Range(0, columns).Select(_ => Gaussian(rng)).ToArray();
            var norm = Math.Sqrt(centre.Sum(v => v * v));
            for (var i = 0; i < sizes[b]; i++, row++)
            {
                blob[row] = b;
                for (var d = 0; d < columns; d++) values[(row * columns) + d] = (float)((centre[d] / norm) + (spread * Gaussian(rng)));
            }
        }

        return (new FeatureMatrix(values, rows, columns), blob);
    }

    /// <summary>Row i divided by its norm, in doubles.</summary>
    public static double[][] NormalisedRows(FeatureMatrix x) => Enumerable.Range(0, x.Rows).Select(i =>
    {
        var row = x.Row(i).ToArray().Select(v => (double)v).ToArray();
        var norm = Math.Max(Math.Sqrt(row.Sum(v => v * v)), 1e-12);
        return row.Select(v => v / norm).ToArray();
    }).ToArray();

    /// <summary>‖a − b‖² in doubles.</summary>
    public static double SquaredDistance(double[] a, double[] b) => a.Zip(b, (p, q) => (p - q) * (p - q)).Sum();

    /// <summary>The covering radius written out plainly: for every row, the distance to its nearest centre; the largest.</summary>
    public static double CoveringRadius(double[][] rows, IEnumerable<int> centres)
    {
        var c = centres.ToArray();
        return Math.Sqrt(rows.Max(r => c.Min(j => SquaredDistance(r, rows[j]))));
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
