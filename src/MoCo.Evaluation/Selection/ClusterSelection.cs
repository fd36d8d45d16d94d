namespace MoCo.Evaluation.Selection;

/// <summary>
/// A balanced per-cluster pick: k-means (<see cref="KMeans"/>) over the whole pool's normalised features, then the
/// unlabelled items nearest each centroid, taken round-robin: each pick goes to the cluster that holds the fewest
/// chosen-or-labelled items so far (ties: the larger cluster, then the lower index), so every cluster gets its share and
/// already labelled items count towards theirs. With as many clusters as the budget (the default) and nothing labelled,
/// it is the classic "item nearest each centroid". <see cref="TypicalSelection"/> shares the round-robin.
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
        var fit = Fit(pool, clusters ?? budget, seed);
        return RoundRobin(pool, budget, fit, i => fit.SquaredDistance[i], minimumClusterSize: 1);
    }

    /// <summary>k-means with <paramref name="clusters"/> clusters (capped at the pool's size) on the normalised rows.</summary>
    internal static KMeans.Result Fit(SelectionPool pool, int clusters, ulong seed)
    {
        var k = Math.Min(clusters, pool.Normalised.Rows);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(clusters), clusters, "the number of clusters must be positive");
        return KMeans.Fit(pool.Normalised, k, seed);
    }

    /// <summary>
    /// The balanced pick: each cluster's unlabelled members in ascending <paramref name="rank"/> (equal ranks by item);
    /// each pick from the cluster holding the fewest chosen-or-labelled items (ties: the larger cluster, then the lower
    /// index), passing over clusters smaller than <paramref name="minimumClusterSize"/> while a big enough one has
    /// members left.
    /// </summary>
    internal static int[] RoundRobin(SelectionPool pool, int budget, KMeans.Result fit, Func<int, float> rank, int minimumClusterSize)
    {
        var k = fit.Centroids.Rows;
        var members = new List<int>[k];
        var counts = new int[k];
        var sizes = new int[k];
        for (var c = 0; c < k; c++) members[c] = [];
        for (var i = 0; i < pool.Normalised.Rows; i++)
        {
            var c = fit.Assignment[i];
            sizes[c]++;
            if (pool.IsLabelled[i]) counts[c]++;
            else members[c].Add(i);
        }

        foreach (var list in members)
        {
            list.Sort((a, b) => rank(a) != rank(b) ? rank(a).CompareTo(rank(b)) : a.CompareTo(b));
        }

        var taken = new int[k];
        var picks = new int[budget];
        for (var p = 0; p < budget; p++)
        {
            var best = -1;
            for (var c = 0; c < k; c++)
            {
                if (taken[c] == members[c].Count) continue;
                if (best < 0 || Before(c, best)) best = c;
            }

            picks[p] = members[best][taken[best]++];
            counts[best]++;
        }

        return picks;

        bool Before(int c, int other)
        {
            bool big = sizes[c] >= minimumClusterSize, otherBig = sizes[other] >= minimumClusterSize;
            if (big != otherBig) return big;
            return counts[c] < counts[other] || (counts[c] == counts[other] && sizes[c] > sizes[other]);
        }
    }
}
