using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class TypicalSelectionTests
{
    /// <summary>Four blobs, each a loose cloud of 40 rows around a unit direction and a tight group of 15 off its
    /// centre: the densest rows are in the tight group, away from the centroid.</summary>
    private static (FeatureMatrix Features, int[] Blob, bool[] Tight) DenseOffCentre(int seed)
    {
        const int Columns = 10, Loose = 40, TightCount = 15;
        var rng = new Random(seed);
        var rows = 4 * (Loose + TightCount);
        var values = new float[rows * Columns];
        var blob = new int[rows];
        var tight = new bool[rows];
        var row = 0;
        for (var b = 0; b < 4; b++)
        {
            var centre = Unit(rng, Columns);
            var offset = Unit(rng, Columns);
            for (var i = 0; i < Loose + TightCount; i++, row++)
            {
                blob[row] = b;
                tight[row] = i >= Loose;
                for (var d = 0; d < Columns; d++)
                {
                    var at = tight[row] ? centre[d] + (0.2 * offset[d]) : centre[d];
                    values[(row * Columns) + d] = (float)(at + ((tight[row] ? 0.005 : 0.08) * Gaussian(rng)));
                }
            }
        }

        return (new FeatureMatrix(values, rows, Columns), blob, tight);
    }

    [Test]
    public void Each_pick_is_its_clusters_most_typical_item_by_a_brute_force_reference()
    {
        var (x, blob, tight) = DenseOffCentre(seed: 5);
        var normalised = new FeatureMatrix([.. SelectionData.NormalisedRows(x).SelectMany(r => r.Select(v => (float)v))], x.Rows, x.Columns);
        var typicality = TypicalityTests.Reference(normalised, blob, TypicalSelection.Neighbours);
        var expected = Enumerable.Range(0, 4).Select(b => Enumerable.Range(0, x.Rows).Where(i => blob[i] == b).MaxBy(i => typicality[i])).ToArray();

        var picks = LabelSelection.Select(x, 4, SelectionMethod.Typical, seed: 1);

        Assert.That(picks, Is.EquivalentTo(expected));
        Assert.That(picks.Select(i => tight[i]), Is.All.True, "the densest rows are the tight groups'");
        // What makes the test able to tell the rules apart: the item nearest each centroid is a loose one here.
        Assert.That(LabelSelection.Select(x, 4, SelectionMethod.Cluster, seed: 1).Select(i => tight[i]), Has.Some.False);
    }

    [Test]
    public void Clusters_smaller_than_five_are_passed_over_while_a_bigger_one_has_items()
    {
        var (x, blob) = SelectionData.Blobs([3, 60, 60, 60], columns: 10, spread: 0.02, seed: 3);
        var typical = LabelSelection.Select(x, 6, SelectionMethod.Typical, clusters: 4, seed: 2);
        Assert.That(typical.Select(i => blob[i]).Order(), Is.EqualTo(new[] { 1, 1, 2, 2, 3, 3 }));
        // The nearest-centroid rule has no minimum and gives the outlier group its share.
        Assert.That(LabelSelection.Select(x, 6, SelectionMethod.Cluster, clusters: 4, seed: 2).Select(i => blob[i]), Does.Contain(0));
        // Once the big clusters run out, the small one is used.
        Assert.That(LabelSelection.Select(x, 182, SelectionMethod.Typical, clusters: 4, seed: 2)[^2..].Select(i => blob[i]), Is.All.EqualTo(0));
    }

    [Test]
    public void Labelled_items_count_towards_their_clusters_share_and_are_not_picked()
    {
        var (x, blob) = SelectionData.Blobs([50, 50, 50, 50], columns: 10, spread: 0.02, seed: 4);
        int[] labelled = [1, 4];
        var picks = LabelSelection.Select(x, 6, SelectionMethod.Typical, labelled, clusters: 4);
        Assert.That(picks.Intersect(labelled), Is.Empty);
        Assert.That(picks.GroupBy(i => blob[i]).ToDictionary(g => g.Key, g => g.Count()), Is.EquivalentTo(new Dictionary<int, int> { [1] = 2, [2] = 2, [3] = 2 }));
    }

    [Test]
    public void By_default_there_is_a_cluster_for_every_labelled_item_and_pick()
    {
        // Eight blobs, two of them labelled: with labelled + budget = 8 clusters the six picks go one to each other blob.
        var (x, blob) = SelectionData.Blobs([30, 30, 30, 30, 30, 30, 30, 30], columns: 12, spread: 0.01, seed: 6);
        int[] labelled = [0, 31];
        var picks = LabelSelection.Select(x, 6, SelectionMethod.Typical, labelled, seed: 3);
        Assert.That(picks.Select(i => blob[i]).Order(), Is.EqualTo(new[] { 2, 3, 4, 5, 6, 7 }));
    }

    [Test]
    public void The_same_seed_gives_the_same_picks()
    {
        var x = SelectionData.Uniform(300, 6, seed: 8);
        var a = LabelSelection.Select(x, 12, SelectionMethod.Typical, seed: 5);
        Assert.That(LabelSelection.Select(x, 12, SelectionMethod.Typical, seed: 5), Is.EqualTo(a));
        Assert.That(LabelSelection.Select(x, 12, SelectionMethod.Typical, seed: 6), Is.Not.EqualTo(a));
    }

    private static double[] Unit(Random rng, int columns)
    {
        var v = Enumerable.Range(0, columns).Select(_ => Gaussian(rng)).ToArray();
        var norm = Math.Sqrt(v.Sum(p => p * p));
        return [.. v.Select(p => p / norm)];
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
