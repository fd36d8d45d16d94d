namespace MoCo.Evaluation.Selection;

/// <summary>
/// What every selection method works on: the pool's features, L2-normalised once, and the items already labelled.
/// Distances are Euclidean between L2-normalised rows, ‖a − b‖² = 2 − 2·cos(a, b): the same order as cosine distance,
/// and the metric in which the coreset's covering radius is stated.
/// </summary>
internal sealed class SelectionPool
{
    private SelectionPool(FeatureMatrix normalised, bool[] labelled, int labelledCount)
    {
        Normalised = normalised;
        IsLabelled = labelled;
        LabelledCount = labelledCount;
    }

    /// <summary>The rows, each divided by its L2 norm.</summary>
    public FeatureMatrix Normalised { get; }

    /// <summary>Whether item i is already labelled (never chosen again).</summary>
    public bool[] IsLabelled { get; }

    /// <summary>How many items are labelled.</summary>
    public int LabelledCount { get; }

    /// <summary>Items that can still be chosen.</summary>
    public int Available => Normalised.Rows - LabelledCount;

    /// <summary>Checks the arguments and normalises the features.</summary>
    /// <exception cref="ArgumentException">No rows, a labelled index outside the pool, or a budget that is not in
    /// [1, items not labelled].</exception>
    public static SelectionPool Create(FeatureMatrix features, int budget, IEnumerable<int>? labelled)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rows == 0 || features.Columns == 0)
        {
            throw new ArgumentException($"selection needs features, got {features.Rows} x {features.Columns}.", nameof(features));
        }

        var isLabelled = new bool[features.Rows];
        var count = 0;
        foreach (var i in labelled ?? [])
        {
            if ((uint)i >= (uint)features.Rows)
            {
                throw new ArgumentException($"labelled item {i} is outside the pool of {features.Rows} items.", nameof(labelled));
            }

            if (!isLabelled[i])
            {
                isLabelled[i] = true;
                count++;
            }
        }

        var pool = new SelectionPool(features.L2Normalised(), isLabelled, count);
        if (budget < 1 || budget > pool.Available)
        {
            throw new ArgumentException(
                $"a budget of {budget} cannot be chosen from {pool.Available} unlabelled items ({features.Rows} in the pool, {count} labelled); it must be 1 to {pool.Available}.",
                nameof(budget));
        }

        return pool;
    }

    /// <summary>Squared distance between normalised rows a and b: 2 − 2·(a·b), clamped at 0 against rounding.</summary>
    public float SquaredDistance(int a, int b) => MathF.Max(0f, 2f - (2f * VectorMath.Dot(Normalised.Row(a), Normalised.Row(b))));
}
