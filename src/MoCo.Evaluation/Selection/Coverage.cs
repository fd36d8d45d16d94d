namespace MoCo.Evaluation.Selection;

/// <summary>How well a set of centres covers a pool: what the k-center rule minimises.</summary>
public static class Coverage
{
    /// <summary>
    /// The covering radius: max over items of the distance to the nearest centre, Euclidean between L2-normalised
    /// features (so in [0, 2]; √(2 − 2·cos) of the worst-covered item's nearest cosine similarity).
    /// </summary>
    /// <param name="features">The pool (raw; normalised here).</param>
    /// <param name="centres">Item indices: the chosen and the labelled items (at least one).</param>
    /// <exception cref="ArgumentException">No centres, or one outside the pool.</exception>
    public static double CoveringRadius(FeatureMatrix features, IReadOnlyCollection<int> centres)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(centres);
        if (centres.Count == 0) throw new ArgumentException("the covering radius needs at least one centre.", nameof(centres));
        foreach (var c in centres)
        {
            if ((uint)c >= (uint)features.Rows) throw new ArgumentException($"centre {c} is outside the pool of {features.Rows} items.", nameof(centres));
        }

        var x = features.L2Normalised();
        var worst = new float[features.Rows];
        Parallel.For(0, features.Rows, i =>
        {
            var nearest = float.PositiveInfinity;
            foreach (var c in centres)
            {
                nearest = MathF.Min(nearest, MathF.Max(0f, 2f - (2f * VectorMath.Dot(x.Row(i), x.Row(c)))));
            }

            worst[i] = nearest;
        });
        return Math.Sqrt(worst.Max());
    }
}
