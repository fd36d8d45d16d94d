namespace MoCo.Evaluation.Selection;

/// <summary>
/// Greedy k-center, the coreset rule for active learning (Sener &amp; Savarese, ICLR 2018, Algorithm 1): keep each item's
/// distance to its nearest centre; the next pick is the item whose distance is largest (farthest-first traversal,
/// Gonzalez 1985), which makes its covering radius at most twice the optimum for the budget.
/// <para>Distances are Euclidean between L2-normalised features (<see cref="SelectionPool"/>). Labelled items are the
/// first centres. With none, the first pick is the item nearest the mean of the normalised rows (a deterministic, central
/// start: the whole selection is a function of the features). Ties go to the lower item. A smaller budget's picks are a
/// prefix of a larger one's.</para>
/// <para>Cost: O(N · budget · D), rows updated in parallel (each row's distance is independent, so the result does not
/// depend on the thread count).</para>
/// </summary>
internal static class KCenterGreedy
{
    /// <summary>The picks in the order they were made.</summary>
    public static int[] Select(SelectionPool pool, int budget)
    {
        var x = pool.Normalised;
        var nearest = new float[x.Rows];
        Array.Fill(nearest, float.PositiveInfinity);
        for (var i = 0; i < x.Rows; i++)
        {
            if (pool.IsLabelled[i]) UpdateNearest(x, i, nearest);
        }

        var picks = new int[budget];
        var chosen = (bool[])pool.IsLabelled.Clone();
        for (var p = 0; p < budget; p++)
        {
            var next = p == 0 && pool.LabelledCount == 0 ? NearestToMean(x) : Farthest(nearest, chosen);
            picks[p] = next;
            chosen[next] = true;
            UpdateNearest(x, next, nearest);
        }

        return picks;
    }

    /// <summary>nearest[i] = min(nearest[i], ‖x_i − x_c‖²) for every row i.</summary>
    private static void UpdateNearest(FeatureMatrix x, int centre, float[] nearest)
    {
        const int Block = 1024;
        var blocks = (x.Rows + Block - 1) / Block;
        Parallel.For(0, blocks, b =>
        {
            ReadOnlySpan<float> c = x.Row(centre);
            var end = Math.Min(x.Rows, (b + 1) * Block);
            for (var i = b * Block; i < end; i++)
            {
                var d = MathF.Max(0f, 2f - (2f * VectorMath.Dot(x.Row(i), c)));
                if (d < nearest[i]) nearest[i] = d;
            }
        });
    }

    private static int Farthest(float[] nearest, bool[] chosen)
    {
        var best = -1;
        var bestDistance = float.NegativeInfinity;
        for (var i = 0; i < nearest.Length; i++)
        {
            if (!chosen[i] && nearest[i] > bestDistance)
            {
                best = i;
                bestDistance = nearest[i];
            }
        }

        return best;
    }

    private static int NearestToMean(FeatureMatrix x)
    {
        var mean = new float[x.Columns];
        for (var i = 0; i < x.Rows; i++)
        {
            var row = x.Row(i);
            for (var d = 0; d < mean.Length; d++) mean[d] += row[d];
        }

        var best = 0;
        var bestDot = float.NegativeInfinity;
        for (var i = 0; i < x.Rows; i++)
        {
            // The nearest to the mean in L2 among unit rows is the one of largest dot product with it.
            var dot = VectorMath.Dot(x.Row(i), mean);
            if (dot > bestDot)
            {
                best = i;
                bestDot = dot;
            }
        }

        return best;
    }
}
