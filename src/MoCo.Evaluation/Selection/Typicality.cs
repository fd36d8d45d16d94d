namespace MoCo.Evaluation.Selection;

/// <summary>
/// TypiClust's density score (Hacohen, Dekel &amp; Weinshall, "Active Learning on a Budget", ICML 2022, eq. 4):
/// Typicality(x) = (1/K · Σ over x's K nearest neighbours ‖x − xᵢ‖)⁻¹, the inverse mean Euclidean distance to the K
/// nearest other members of x's own cluster, with K = min(<c>neighbours</c>, ⌊cluster size / 2⌋) as the paper's code
/// takes it. High in the dense middle of a cluster, low for its outliers: what greedy k-center picks first.
/// <para>Exact (brute force within each cluster): O(Σ n_c² · D) for clusters of n_c rows, rows in parallel, each row's
/// score independent of the split. A row alone in its cluster (K = 0) scores 0; a row with K exact copies scores +∞.</para>
/// </summary>
internal static class Typicality
{
    /// <summary>The typicality of every row of <paramref name="x"/> within its cluster.</summary>
    /// <param name="x">The rows (the selection passes L2-normalised features).</param>
    /// <param name="assignment">Each row's cluster, 0 to <paramref name="clusters"/> − 1.</param>
    /// <param name="clusters">The number of clusters.</param>
    /// <param name="neighbours">K before the cap at half the cluster (the paper: 20).</param>
    public static float[] WithinClusters(FeatureMatrix x, int[] assignment, int clusters, int neighbours)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(assignment);
        if (assignment.Length != x.Rows) throw new ArgumentException($"{assignment.Length} assignments for {x.Rows} rows.", nameof(assignment));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(neighbours);
        var members = new List<int>[clusters];
        for (var c = 0; c < clusters; c++) members[c] = [];
        for (var i = 0; i < assignment.Length; i++)
        {
            if ((uint)assignment[i] >= (uint)clusters) throw new ArgumentException($"row {i} is in cluster {assignment[i]}, outside 0..{clusters - 1}.", nameof(assignment));
            members[assignment[i]].Add(i);
        }

        var score = new float[x.Rows];
        Parallel.For(0, x.Rows, () => new float[neighbours], (i, _, nearest) =>
        {
            var cluster = members[assignment[i]];
            var k = Math.Min(neighbours, cluster.Count / 2);
            score[i] = k == 0 ? 0f : 1f / MeanNearestDistance(x, i, cluster, nearest.AsSpan(0, k));
            return nearest;
        }, _ => { });
        return score;
    }

    /// <summary>The mean of the <c>nearest.Length</c> smallest Euclidean distances from row <paramref name="i"/> to the
    /// other rows of <paramref name="cluster"/>, kept in <paramref name="nearest"/> as a sorted list of squared
    /// distances (most candidates fail the first comparison with the current K-th).</summary>
    private static float MeanNearestDistance(FeatureMatrix x, int i, List<int> cluster, Span<float> nearest)
    {
        nearest.Fill(float.PositiveInfinity);
        ReadOnlySpan<float> row = x.Row(i);
        var last = nearest.Length - 1;
        foreach (var j in cluster)
        {
            if (j == i) continue;
            var d = VectorMath.SquaredDistance(row, x.Row(j));
            if (d >= nearest[last]) continue;
            var at = last;
            while (at > 0 && nearest[at - 1] > d)
            {
                nearest[at] = nearest[at - 1];
                at--;
            }

            nearest[at] = d;
        }

        double sum = 0;
        foreach (var d in nearest) sum += Math.Sqrt(d);
        return (float)(sum / nearest.Length);
    }
}
