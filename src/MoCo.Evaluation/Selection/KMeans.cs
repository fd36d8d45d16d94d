namespace MoCo.Evaluation.Selection;

/// <summary>
/// Lloyd's k-means with k-means++ seeding (Arthur &amp; Vassilvitskii 2007), Euclidean, on the rows it is given (the
/// selection passes L2-normalised features). Deterministic for a seed: the assignment step runs rows in parallel but
/// each row's nearest centroid is independent, and the centroids are summed in row order in doubles.
/// <para>An emptied cluster takes the row farthest from its centroid (sklearn's rule). Stops when no assignment
/// changes, or after <c>maxIterations</c>.</para>
/// </summary>
internal static class KMeans
{
    /// <summary>The result: centroids (k × D), each row's cluster and its squared distance to that centroid, and the
    /// number of Lloyd iterations run.</summary>
    internal sealed record Result(FeatureMatrix Centroids, int[] Assignment, float[] SquaredDistance, int Iterations);

    /// <summary>k-means++ seeding, then Lloyd.</summary>
    public static Result Fit(FeatureMatrix x, int k, ulong seed, int maxIterations = 25) => Lloyd(x, PlusPlus(x, k, seed), maxIterations);

    /// <summary>k-means++: the first centre uniform, each next one drawn with probability proportional to its squared
    /// distance to the nearest centre so far (a row already chosen has distance 0 and is never drawn again while any
    /// row is farther).</summary>
    public static FeatureMatrix PlusPlus(FeatureMatrix x, int k, ulong seed)
    {
        if (k < 1 || k > x.Rows) throw new ArgumentOutOfRangeException(nameof(k), k, $"k-means needs 1 to {x.Rows} clusters");
        var random = new Random(SeedMix.ToInt32(seed, 0x4B4D454EUL));
        var centres = new FeatureMatrix(new float[k * x.Columns], k, x.Columns);
        var nearest = new double[x.Rows];
        Array.Fill(nearest, double.PositiveInfinity);
        var next = random.Next(x.Rows);
        for (var c = 0; c < k; c++)
        {
            x.Row(next).CopyTo(centres.Row(c));
            UpdateNearest(x, centres, c, nearest);
            nearest[next] = 0; // exactly, whatever the rounding of the expanded form
            double total = 0;
            for (var i = 0; i < x.Rows; i++) total += nearest[i];

            if (c + 1 == k) break;
            if (total <= 0)
            {
                // Every row sits on a centre (fewer distinct rows than k): take the next rows in order.
                next = (next + 1) % x.Rows;
                continue;
            }

            var target = random.NextDouble() * total;
            next = x.Rows - 1;
            for (var i = 0; i < x.Rows; i++)
            {
                target -= nearest[i];
                if (target < 0 && nearest[i] > 0)
                {
                    next = i;
                    break;
                }
            }
        }

        return centres;
    }

    /// <summary>Lloyd's iterations from <paramref name="initial"/> centroids (not modified).</summary>
    public static Result Lloyd(FeatureMatrix x, FeatureMatrix initial, int maxIterations)
    {
        if (initial.Columns != x.Columns) throw new ArgumentException($"centroids have {initial.Columns} features, the rows {x.Columns}.", nameof(initial));
        var k = initial.Rows;
        var centroids = new FeatureMatrix((float[])initial.Values.Clone(), k, x.Columns);
        var assignment = new int[x.Rows];
        Array.Fill(assignment, -1);
        var distance = new float[x.Rows];
        var iterations = 0;
        while (true)
        {
            var changed = Assign(x, centroids, assignment, distance);
            if (changed == 0 || iterations == maxIterations) break;
            iterations++;
            Update(x, centroids, assignment, distance);
        }

        return new Result(centroids, assignment, distance, iterations);
    }

    /// <summary>Each row to its nearest centroid (ties: the lower centroid); returns how many rows changed cluster.</summary>
    private static int Assign(FeatureMatrix x, FeatureMatrix centroids, int[] assignment, float[] distance)
    {
        const int Block = 256;
        var norms = new float[centroids.Rows];
        for (var c = 0; c < norms.Length; c++) norms[c] = VectorMath.Dot(centroids.Row(c), centroids.Row(c));
        var changed = 0;
        Parallel.For(0, (x.Rows + Block - 1) / Block, b =>
        {
            var local = 0;
            var end = Math.Min(x.Rows, (b + 1) * Block);
            for (var i = b * Block; i < end; i++)
            {
                ReadOnlySpan<float> row = x.Row(i);
                var rowNorm = VectorMath.Dot(row, row);
                var best = 0;
                var bestDistance = float.PositiveInfinity;
                for (var c = 0; c < centroids.Rows; c++)
                {
                    // ‖x − c‖² = ‖x‖² + ‖c‖² − 2 x·c
                    var d = rowNorm + norms[c] - (2f * VectorMath.Dot(row, centroids.Row(c)));
                    if (d < bestDistance)
                    {
                        best = c;
                        bestDistance = d;
                    }
                }

                if (assignment[i] != best) local++;
                assignment[i] = best;
                distance[i] = MathF.Max(0f, bestDistance);
            }

            Interlocked.Add(ref changed, local);
        });
        return changed;
    }

    /// <summary>Centroids as the means of their rows (summed in row order in doubles); an empty cluster takes the
    /// row farthest from its centroid.</summary>
    private static void Update(FeatureMatrix x, FeatureMatrix centroids, int[] assignment, float[] distance)
    {
        var sums = new double[centroids.Rows * x.Columns];
        var counts = new int[centroids.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            var c = assignment[i];
            counts[c]++;
            var row = x.Row(i);
            var offset = c * x.Columns;
            for (var d = 0; d < row.Length; d++) sums[offset + d] += row[d];
        }

        for (var c = 0; c < centroids.Rows; c++)
        {
            var centroid = centroids.Row(c);
            if (counts[c] == 0)
            {
                var far = Array.IndexOf(distance, distance.Max());
                x.Row(far).CopyTo(centroid);
                distance[far] = 0;
                continue;
            }

            for (var d = 0; d < centroid.Length; d++) centroid[d] = (float)(sums[(c * x.Columns) + d] / counts[c]);
        }
    }

    /// <summary>nearest[i] = min(nearest[i], ‖x_i − c‖²) for centre <paramref name="c"/>, rows in parallel blocks
    /// (each row's value is independent of the split); ‖x − c‖² as ‖x‖² + ‖c‖² − 2 x·c, clamped at 0.</summary>
    private static void UpdateNearest(FeatureMatrix x, FeatureMatrix centres, int c, double[] nearest)
    {
        const int Block = 1024;
        var centreNorm = VectorMath.Dot(centres.Row(c), centres.Row(c));
        Parallel.For(0, (x.Rows + Block - 1) / Block, b =>
        {
            ReadOnlySpan<float> centre = centres.Row(c);
            var end = Math.Min(x.Rows, (b + 1) * Block);
            for (var i = b * Block; i < end; i++)
            {
                ReadOnlySpan<float> row = x.Row(i);
                var d = Math.Max(0.0, (double)VectorMath.Dot(row, row) + centreNorm - (2.0 * VectorMath.Dot(row, centre)));
                if (d < nearest[i]) nearest[i] = d;
            }
        });
    }
}
