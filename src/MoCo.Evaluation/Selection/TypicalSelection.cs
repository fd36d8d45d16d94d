namespace MoCo.Evaluation.Selection;

/// <summary>
/// TypiClust (Hacohen, Dekel &amp; Weinshall, "Active Learning on a Budget", ICML 2022, Algorithm 1), the rule for small
/// budgets on self-supervised features: k-means into (labelled + budget) clusters, then round-robin over the clusters
/// holding the fewest chosen-or-labelled items (ties: the larger cluster), and in each the unlabelled item of highest
/// <see cref="Typicality"/> (inverse mean distance to its 20 nearest neighbours in the cluster): a dense, typical image of
/// every region instead of k-center's outliers or a centroid's neighbour. Clusters of fewer than 5 items (the paper's
/// minimum) are passed over while a bigger one has items left.
/// <para>Cost: k-means' (as <see cref="ClusterSelection"/>), plus the exact within-cluster neighbours, O(Σ n_c² · D).</para>
/// </summary>
internal static class TypicalSelection
{
    /// <summary>K of the typicality (the paper's 20).</summary>
    public const int Neighbours = 20;

    /// <summary>Clusters smaller than this are taken last (the paper's 5).</summary>
    public const int MinimumClusterSize = 5;

    /// <summary>The picks in the order they were made.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="budget">Items to choose.</param>
    /// <param name="clusters">k of k-means; null: labelled + budget (capped at the pool's size).</param>
    /// <param name="seed">k-means++'s seed.</param>
    public static int[] Select(SelectionPool pool, int budget, int? clusters, ulong seed)
    {
        var fit = ClusterSelection.Fit(pool, clusters ?? (pool.LabelledCount + budget), seed);
        var typicality = Typicality.WithinClusters(pool.Normalised, fit.Assignment, fit.Centroids.Rows, Neighbours);
        return ClusterSelection.RoundRobin(pool, budget, fit, i => -typicality[i], MinimumClusterSize);
    }
}
