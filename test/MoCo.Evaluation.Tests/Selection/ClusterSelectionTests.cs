using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class ClusterSelectionTests
{
    private static readonly (FeatureMatrix Features, int[] Blob) Blobs = SelectionData.Blobs([12, 40, 90, 200], columns: 10, spread: 0.02, seed: 3);

    [Test]
    public void Each_cluster_gets_an_equal_share_whatever_its_size()
    {
        var (x, blob) = Blobs;
        var picks = LabelSelection.Select(x, 8, SelectionMethod.Cluster, clusters: 4);
        Assert.That(picks.GroupBy(i => blob[i]).Select(g => g.Count()), Is.EquivalentTo(new[] { 2, 2, 2, 2 }));
    }

    [Test]
    public void With_one_cluster_per_pick_each_pick_is_nearest_its_centroid()
    {
        // Reference: the mean of each blob's normalised rows in doubles, and the row nearest it.
        var (x, blob) = Blobs;
        var rows = SelectionData.NormalisedRows(x);
        var expected = Enumerable.Range(0, 4).Select(b =>
        {
            var members = Enumerable.Range(0, rows.Length).Where(i => blob[i] == b).ToArray();
            var mean = Enumerable.Range(0, x.Columns).Select(d => members.Average(i => rows[i][d])).ToArray();
            return members.MinBy(i => SelectionData.SquaredDistance(rows[i], mean));
        });
        Assert.That(LabelSelection.Select(x, 4, SelectionMethod.Cluster, seed: 1), Is.EquivalentTo(expected));
    }

    [Test]
    public void Labelled_items_count_towards_their_clusters_share_and_are_not_picked()
    {
        var (x, blob) = Blobs;
        // Two labelled items in blob 0 (rows 0..11): the six picks go two to each other blob.
        int[] labelled = [1, 4];
        var picks = LabelSelection.Select(x, 6, SelectionMethod.Cluster, labelled, clusters: 4);
        Assert.That(picks.Intersect(labelled), Is.Empty);
        Assert.That(picks.GroupBy(i => blob[i]).ToDictionary(g => g.Key, g => g.Count()), Is.EquivalentTo(new Dictionary<int, int> { [1] = 2, [2] = 2, [3] = 2 }));
    }

    [Test]
    public void The_same_seed_gives_the_same_picks()
    {
        var x = SelectionData.Uniform(300, 6, seed: 8);
        var a = LabelSelection.Select(x, 12, SelectionMethod.Cluster, seed: 5);
        Assert.That(LabelSelection.Select(x, 12, SelectionMethod.Cluster, seed: 5), Is.EqualTo(a));
        Assert.That(LabelSelection.Select(x, 12, SelectionMethod.Cluster, seed: 6), Is.Not.EqualTo(a));
    }
}
