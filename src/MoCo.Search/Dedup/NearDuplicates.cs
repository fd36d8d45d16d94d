using System.Numerics.Tensors;
using MoCo.Evaluation;

namespace MoCo.Search.Dedup;

/// <summary>
/// Groups of near-duplicate rows. Candidate pairs are each row's nearest rows by cosine (from the ANN index or exact
/// search); a pair is a duplicate when the cosine of its <see cref="CentredFeatures"/> reaches the threshold. Groups
/// do not chain: rows are taken in store order, and each row not yet in a group becomes a group's kept row, joined by
/// every row not yet in a group that is a duplicate of it (leader clustering), so every member is within the threshold
/// of its group's kept row. The default threshold is <see cref="LookAlikeFloor"/>, fitted to the rows' distances to
/// their nearest candidates (docs/search.md gives the rule and what it gives).
/// </summary>
internal static class NearDuplicates
{
    /// <summary>Groups among <paramref name="features"/> (store rows) from <paramref name="candidates"/> (row r's nearest
    /// other rows); <paramref name="threshold"/> is a centred cosine, or null for the calibrated default.</summary>
    public static DuplicateGroups Find(FeatureMatrix features, IReadOnlyList<Neighbor[]> candidates, double? threshold = null) =>
        Find(CentredFeatures.Of(features), features.Rows, candidates, threshold);

    /// <summary>
    /// As <see cref="Find(FeatureMatrix, IReadOnlyList{Neighbor[]}, double?)"/> on rows already centred, with the pairs
    /// of <see cref="CropViews"/> (or none) as further candidates: a crop pair reaching the threshold is a duplicate like
    /// any other. The default threshold is fitted on <paramref name="candidates"/> alone.
    /// </summary>
    public static DuplicateGroups Find(FeatureMatrix centred, int rows, IReadOnlyList<Neighbor[]> candidates, double? threshold, IReadOnlyList<CropPair>? cropPairs = null)
    {
        ArgumentNullException.ThrowIfNull(centred);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count != rows || centred.Rows != rows)
        {
            throw new ArgumentException($"candidates for {candidates.Count} rows, but {rows} rows.", nameof(candidates));
        }

        if (threshold is { } t && (double.IsNaN(t) || t < -1 || t > 1))
        {
            throw new ArgumentException($"--threshold {t}: a cosine similarity, between -1 and 1.", nameof(threshold));
        }

        // Each candidate pair's centred cosine, both ways, and each row's distance to its nearest (centred) candidate.
        var pairs = new List<(int Other, float Similarity)>[rows];
        var nearest = new double[rows];
        for (var a = 0; a < rows; a++)
        {
            pairs[a] ??= [];
            nearest[a] = double.NaN;
            foreach (var n in candidates[a])
            {
                var b = (int)n.Row;
                var similarity = TensorPrimitives.Dot(centred.Row(a), centred.Row(b));
                nearest[a] = double.IsNaN(nearest[a]) ? 1 - similarity : Math.Min(nearest[a], 1 - similarity);
                pairs[a].Add((b, similarity));
                (pairs[b] ??= []).Add((a, similarity));
            }
        }

        var calibration = threshold is null ? LookAlikeFloor.Fit(nearest) : null;
        var cut = threshold ?? calibration!.Threshold;
        foreach (var crop in cropPairs ?? [])
        {
            if (crop.Row < 0 || crop.Row >= rows || crop.Other < 0 || crop.Other >= rows)
            {
                throw new ArgumentException($"a crop pair ({crop.Row}, {crop.Other}) outside the {rows} rows.", nameof(cropPairs));
            }

            pairs[crop.Row].Add((crop.Other, crop.Similarity));
            pairs[crop.Other].Add((crop.Row, crop.Similarity));
        }

        // Leader clustering in store order.
        var group = new int[rows];
        Array.Fill(group, -1);
        var groups = new List<IReadOnlyList<int>>();
        for (var leader = 0; leader < rows; leader++)
        {
            if (group[leader] >= 0)
            {
                continue;
            }

            var members = new SortedSet<int>();
            foreach (var (other, similarity) in pairs[leader])
            {
                if (similarity >= cut && group[other] < 0 && other != leader)
                {
                    members.Add(other);
                }
            }

            if (members.Count == 0)
            {
                continue;
            }

            group[leader] = groups.Count;
            foreach (var m in members)
            {
                group[m] = groups.Count;
            }

            groups.Add([leader, .. members]);
        }

        return new DuplicateGroups(groups, cut, calibration);
    }
}

/// <summary>What <see cref="NearDuplicates"/> found.</summary>
/// <param name="Groups">Groups of two or more rows, each in store order, ordered by their first row (the one kept).</param>
/// <param name="Threshold">The centred cosine a pair had to reach.</param>
/// <param name="Calibration">How the default threshold was chosen; null when it was given.</param>
internal sealed record DuplicateGroups(IReadOnlyList<IReadOnlyList<int>> Groups, double Threshold, Calibration? Calibration)
{
    /// <summary>Rows to keep, in store order: every row outside a group and each group's first row.</summary>
    public IEnumerable<int> Kept(int rows)
    {
        var dropped = Groups.SelectMany(g => g.Skip(1)).ToHashSet();
        return Enumerable.Range(0, rows).Where(r => !dropped.Contains(r));
    }
}
