using System.Numerics.Tensors;
using MoCo.Evaluation;

namespace MoCo.Search.Dedup;

/// <summary>
/// Groups of near-duplicate rows. Candidate pairs are each row's nearest rows by cosine (from the ANN index or exact
/// search); a pair is a duplicate when the cosine of its <see cref="CentredFeatures"/> reaches the threshold, and groups
/// are the connected components of duplicate pairs (union–find). The default threshold is calibrated on the store
/// itself: 1 − ¼·m, where m is the median over rows of the centred cosine distance to the nearest other row — copies,
/// resized copies and re-encodings sit far closer to each other than a typical image to its nearest neighbour, whatever
/// the encoder's scale (docs/search.md gives the figures).
/// </summary>
internal static class NearDuplicates
{
    /// <summary>The calibrated threshold is 1 − this fraction of the median nearest-neighbour distance.</summary>
    public const double CalibrationFraction = 0.25;

    /// <summary>Groups among <paramref name="features"/> (store rows) from <paramref name="candidates"/> (row r's nearest
    /// other rows); <paramref name="threshold"/> is a centred cosine, or null for the calibrated default.</summary>
    public static DuplicateGroups Find(FeatureMatrix features, IReadOnlyList<Neighbor[]> candidates, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count != features.Rows)
        {
            throw new ArgumentException($"candidates for {candidates.Count} rows, but {features.Rows} rows.", nameof(candidates));
        }

        if (threshold is { } t && (double.IsNaN(t) || t < -1 || t > 1))
        {
            throw new ArgumentException($"--threshold {t}: a cosine similarity, between -1 and 1.", nameof(threshold));
        }

        var centred = CentredFeatures.Of(features);
        // Each candidate pair's centred cosine, and each row's nearest (centred) among its candidates.
        var scored = new List<(int A, int B, float Similarity)>();
        var nearest = new double[features.Rows];
        for (var a = 0; a < features.Rows; a++)
        {
            nearest[a] = double.NaN;
            foreach (var n in candidates[a])
            {
                var b = (int)n.Row;
                var similarity = TensorPrimitives.Dot(centred.Row(a), centred.Row(b));
                nearest[a] = double.IsNaN(nearest[a]) ? 1 - similarity : Math.Min(nearest[a], 1 - similarity);
                if (a < b || !Contains(candidates[b], a))
                {
                    scored.Add((Math.Min(a, b), Math.Max(a, b), similarity));
                }
            }
        }

        var distances = nearest.Where(d => !double.IsNaN(d)).Order().ToArray();
        var median = distances.Length == 0 ? 0 : distances[distances.Length / 2];
        var cut = threshold ?? 1 - (CalibrationFraction * median);

        var parent = Enumerable.Range(0, features.Rows).ToArray();
        int Root(int x)
        {
            while (parent[x] != x)
            {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }

            return x;
        }

        foreach (var (a, b, similarity) in scored)
        {
            if (similarity >= cut)
            {
                int ra = Root(a), rb = Root(b);
                parent[Math.Max(ra, rb)] = Math.Min(ra, rb); // the group's root is its first row in store order
            }
        }

        var groups = Enumerable.Range(0, features.Rows).GroupBy(Root).Where(g => g.Count() > 1)
            .Select(g => (IReadOnlyList<int>)g.Order().ToArray()).OrderBy(g => g[0]).ToArray();
        return new DuplicateGroups(groups, cut, median, threshold is null);
    }

    private static bool Contains(Neighbor[] list, int row)
    {
        foreach (var n in list)
        {
            if (n.Row == row)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What <see cref="NearDuplicates.Find"/> found.</summary>
/// <param name="Groups">Groups of two or more rows, each in store order, ordered by their first row (the one kept).</param>
/// <param name="Threshold">The centred cosine a pair had to reach.</param>
/// <param name="MedianNearestDistance">Median over rows of 1 − centred cosine to the nearest candidate (the calibration's m).</param>
/// <param name="Calibrated">Whether <paramref name="Threshold"/> was calibrated (no --threshold given).</param>
internal sealed record DuplicateGroups(IReadOnlyList<IReadOnlyList<int>> Groups, double Threshold, double MedianNearestDistance, bool Calibrated)
{
    /// <summary>Rows to keep, in store order: every row outside a group and each group's first row.</summary>
    public IEnumerable<int> Kept(int rows)
    {
        var dropped = Groups.SelectMany(g => g.Skip(1)).ToHashSet();
        return Enumerable.Range(0, rows).Where(r => !dropped.Contains(r));
    }
}
