namespace MoCo.Evaluation.Selection;

/// <summary>
/// Which items to label: the one entry point of <c>moco select</c> and of library callers, over features held in memory.
/// </summary>
/// <example><code>
/// int[] picks = LabelSelection.Select(features, budget: 100, SelectionMethod.KCenter, labelled: alreadyLabelled);
/// double radius = Coverage.CoveringRadius(features, [.. picks, .. alreadyLabelled]);
/// </code></example>
public static class LabelSelection
{
    /// <summary>The indices of <paramref name="budget"/> items to label, in the order chosen (for every method a
    /// smaller budget with the same inputs gives a prefix, except <see cref="SelectionMethod.Cluster"/> and
    /// <see cref="SelectionMethod.Typical"/>, whose clusters depend on the budget unless <paramref name="clusters"/> is given).</summary>
    /// <param name="features">N × D features of the pool (raw; every method L2-normalises them first).</param>
    /// <param name="budget">How many to choose: 1 to the number of items not labelled.</param>
    /// <param name="method">The rule (<see cref="SelectionMethod"/>).</param>
    /// <param name="labelled">Items already labelled: never chosen, and counted as chosen (k-center's first centres,
    /// a cluster's share); default none.</param>
    /// <param name="seed">For <see cref="SelectionMethod.Random"/> and the k-means++ seeding of
    /// <see cref="SelectionMethod.Cluster"/> and <see cref="SelectionMethod.Typical"/> (k-center uses none); default 0.</param>
    /// <param name="clusters">For <see cref="SelectionMethod.Cluster"/> and <see cref="SelectionMethod.Typical"/>: k of
    /// k-means; default the budget (cluster) or labelled + budget (typical).</param>
    /// <exception cref="ArgumentException">Empty features, a labelled index outside the pool, or a budget out of range.</exception>
    public static int[] Select(FeatureMatrix features, int budget, SelectionMethod method, IEnumerable<int>? labelled = null, ulong seed = 0, int? clusters = null)
    {
        var pool = SelectionPool.Create(features, budget, labelled);
        return method switch
        {
            SelectionMethod.KCenter => KCenterGreedy.Select(pool, budget),
            SelectionMethod.Random => RandomSelection.Select(pool, budget, seed),
            SelectionMethod.Cluster => ClusterSelection.Select(pool, budget, clusters, seed),
            SelectionMethod.Typical => TypicalSelection.Select(pool, budget, clusters, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };
    }
}
