using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class KCenterGreedyTests
{
    /// <summary>Reference: the rule written out naively in doubles, O(N·k) distances per pick: every unchosen row's
    /// distance to its nearest chosen or labelled row, recomputed from scratch; the largest wins (ties: the lower row).
    /// The first pick without labelled rows is the row nearest the mean of the normalised rows.</summary>
    private static List<int> NaiveKCenter(FeatureMatrix x, int budget, int[] labelled)
    {
        var rows = SelectionData.NormalisedRows(x);
        var centres = new List<int>(labelled);
        var picks = new List<int>();
        if (centres.Count == 0)
        {
            var mean = Enumerable.Range(0, x.Columns).Select(d => rows.Average(r => r[d])).ToArray();
            var first = Enumerable.Range(0, rows.Length).MinBy(i => SelectionData.SquaredDistance(rows[i], mean));
            picks.Add(first);
            centres.Add(first);
        }

        while (picks.Count < budget)
        {
            var best = -1;
            var bestDistance = double.NegativeInfinity;
            for (var i = 0; i < rows.Length; i++)
            {
                if (centres.Contains(i)) continue;
                var nearest = centres.Min(c => SelectionData.SquaredDistance(rows[i], rows[c]));
                if (nearest > bestDistance)
                {
                    best = i;
                    bestDistance = nearest;
                }
            }

            picks.Add(best);
            centres.Add(best);
        }

        return picks;
    }

    [Test]
    public void Picks_equal_a_naive_reference([Values(0, 3)] int labelledCount, [Values(1, 2)] int seed)
    {
        var x = SelectionData.Uniform(300, 12, seed);
        var labelled = Enumerable.Range(0, labelledCount).Select(i => (i * 97) + 5).ToArray();
        var picks = LabelSelection.Select(x, 25, SelectionMethod.KCenter, labelled);
        Assert.That(picks, Is.EqualTo(NaiveKCenter(x, 25, labelled)));
    }

    [Test]
    public void Covering_radius_is_smaller_than_random_picks_on_the_same_data()
    {
        // Unequal blobs: a uniform draw spends its budget on the big blobs and leaves small ones uncovered.
        var (x, _) = SelectionData.Blobs([400, 200, 100, 40, 20, 10, 5, 5], columns: 16, spread: 0.08, seed: 7);
        var rows = SelectionData.NormalisedRows(x);
        foreach (var budget in new[] { 8, 20, 50 })
        {
            var kcenter = SelectionData.CoveringRadius(rows, LabelSelection.Select(x, budget, SelectionMethod.KCenter));
            for (ulong seed = 0; seed < 10; seed++)
            {
                var random = SelectionData.CoveringRadius(rows, LabelSelection.Select(x, budget, SelectionMethod.Random, seed: seed));
                Assert.That(kcenter, Is.LessThan(random), $"budget {budget}, random seed {seed}");
            }
        }
    }

    [Test]
    public void Covering_radius_is_within_twice_the_exhaustive_optimum()
    {
        // Gonzalez's bound: farthest-first is a 2-approximation of the best k centres, found here by trying every set.
        var x = SelectionData.Uniform(14, 3, seed: 11);
        var rows = SelectionData.NormalisedRows(x);
        const int K = 3;
        var optimum = double.PositiveInfinity;
        for (var a = 0; a < rows.Length; a++)
        {
            for (var b = a + 1; b < rows.Length; b++)
            {
                for (var c = b + 1; c < rows.Length; c++) optimum = Math.Min(optimum, SelectionData.CoveringRadius(rows, [a, b, c]));
            }
        }

        var greedy = SelectionData.CoveringRadius(rows, LabelSelection.Select(x, K, SelectionMethod.KCenter));
        Assert.That(greedy, Is.LessThanOrEqualTo((2 * optimum) + 1e-6));
        Assert.That(greedy, Is.GreaterThanOrEqualTo(optimum - 1e-6));
    }

    [Test]
    public void A_smaller_budget_is_a_prefix_of_a_larger_one()
    {
        var x = SelectionData.Uniform(200, 8, seed: 3);
        var large = LabelSelection.Select(x, 40, SelectionMethod.KCenter);
        Assert.That(LabelSelection.Select(x, 15, SelectionMethod.KCenter), Is.EqualTo(large[..15]));
    }

    [Test]
    public void Labelled_items_are_never_picked_and_count_as_centres()
    {
        // Three tight blobs; one item of blobs 0 and 1 is labelled, so the one pick must land in blob 2.
        var (x, blob) = SelectionData.Blobs([30, 30, 30], columns: 8, spread: 0.02, seed: 5);
        int[] labelled = [3, 40];
        var picks = LabelSelection.Select(x, 1, SelectionMethod.KCenter, labelled);
        Assert.That(blob[picks[0]], Is.EqualTo(2));
        var more = LabelSelection.Select(x, 60, SelectionMethod.KCenter, labelled);
        Assert.That(more.Intersect(labelled), Is.Empty);
        Assert.That(more.Distinct().Count(), Is.EqualTo(60));
    }

    [Test]
    public void Every_unlabelled_item_can_be_picked_once()
    {
        var x = SelectionData.Uniform(20, 4, seed: 9);
        var picks = LabelSelection.Select(x, 18, SelectionMethod.KCenter, [0, 1]);
        Assert.That(picks.Order(), Is.EqualTo(Enumerable.Range(2, 18)));
    }
}
