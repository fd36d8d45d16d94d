namespace MoCo.Evaluation.Selection;

/// <summary>
/// A balanced per-cluster pick: k-means (<see cref="KMeans"/>) over the whole pool's normalised features, then the
/// unlabelled items nearest each centroid, taken round-robin: each pick goes to the cluster that holds the fewest
/// chosen-or-labelled items so far (ties: the larger cluster, then the lower index), so every cluster gets its share and
/// already labelled items count towards theirs. With as many clusters as the budget (the default) and nothing labelled,
/// it is the classic "item nearest each centroid".
/// </summary>
internal static class ClusterSelection
{
    /// <summary>The picks in the order they were made.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="budget">Items to choose.</param>
    /// <param name="clusters">k of k-means; null: the budget (capped at the pool's size).</param>
    /// <param name="seed">k-means++'s seed.</param>
    public static int[] Select(SelectionPool pool, int budget, int? clusters, ulong seed)
    {
        var x = pool.Normalised;
        var k = Math.Min(clusters ?? budget, x.Rows);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(clusters), clusters, "the number of clusters must be positive");
        var fit = KMeans.Fit(x, k, seed);
        var members = new List<int>[k];
        var counts = new int[k];
        var sizes = new int[k];
        for (var c = 0; c < k; c++) members[c] = [];
        for (var i = 0; i < x.Rows; i++)
        {
            var c = fit.Assignment[i];
            sizes[c]++;
            if (pool.IsLabelled[i]) counts[c]++;
            else members[c].Add(i);
        }

        foreach (var list in members)
        {
            // Nearest the centroid first; equal distances by item.
            list.Sort((a, b) => fit.SquaredDistance[a] != fit.SquaredDistance[b] ? fit.SquaredDistance[a].CompareTo(fit.SquaredDistance[b]) : a.CompareTo(b));
        }

        var taken = new int[k];
        var picks = new int[budget];
        for (var p = 0; p < budget; p++)
        {
            var best = -1;
            for (var c = 0; c < k; c++)
            {
                if (taken[c] == members[c].Count) continue;
                if (best < 0 || counts[c] < counts[best] || (counts[c] == counts[best] && sizes[c] > sizes[best])) best = c;
            }

            picks[p] = members[best][taken[best]++];
            counts[best]++;
        }

        return picks;
    }
}
