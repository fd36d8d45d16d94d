using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class TypicalityTests
{
    /// <summary>Reference: TypiClust's score written out in doubles: every other member's Euclidean distance, sorted,
    /// the mean of the K = min(neighbours, size / 2) smallest, inverted (0 for a cluster of one).</summary>
    internal static double[] Reference(FeatureMatrix x, int[] assignment, int neighbours)
    {
        var rows = Enumerable.Range(0, x.Rows).Select(i => x.Row(i).ToArray().Select(v => (double)v).ToArray()).ToArray();
        return Enumerable.Range(0, x.Rows).Select(i =>
        {
            var others = Enumerable.Range(0, x.Rows).Where(j => j != i && assignment[j] == assignment[i]).ToArray();
            var k = Math.Min(neighbours, (others.Length + 1) / 2);
            if (k == 0) return 0.0;
            return 1 / others.Select(j => Math.Sqrt(SelectionData.SquaredDistance(rows[i], rows[j]))).Order().Take(k).Average();
        }).ToArray();
    }

    /// <summary>Tolerance 1e-6 relative: float sums of 9 squared differences against doubles.</summary>
    [Test]
    public void Scores_equal_a_brute_force_reference([Values(20, 3)] int neighbours)
    {
        // Five clusters, interleaved: three of about 80, 80 and 40 rows, one of 3 (K = 1) and one of 1 (score 0).
        var x = SelectionData.Uniform(201, 9, seed: 4);
        var assignment = Enumerable.Range(0, x.Rows).Select(i => i < 3 ? 3 : i == 3 ? 4 : i % 5 < 2 ? 0 : i % 5 < 4 ? 1 : 2).ToArray();
        var scores = Typicality.WithinClusters(x, assignment, clusters: 5, neighbours);
        var expected = Reference(x, assignment, neighbours);
        Assert.That(expected.Count(s => s == 0), Is.EqualTo(1), "the fixture holds one cluster of one");
        for (var i = 0; i < x.Rows; i++) Assert.That(scores[i], Is.EqualTo(expected[i]).Within(1e-4).Percent, $"row {i}");
    }

    [Test]
    public void Exact_copies_score_infinity_and_the_score_falls_with_the_spread()
    {
        // Rows 0..5 identical; rows 6..11 a tight group; rows 12..17 a loose one: each its own cluster.
        var rng = new Random(2);
        var values = new float[18 * 4];
        for (var i = 0; i < 18; i++)
        {
            var spread = i < 6 ? 0 : i < 12 ? 0.01 : 0.1;
            for (var d = 0; d < 4; d++) values[(i * 4) + d] = (float)(1 + (spread * ((rng.NextDouble() * 2) - 1)));
        }

        var scores = Typicality.WithinClusters(new FeatureMatrix(values, 18, 4), [.. Enumerable.Range(0, 18).Select(i => i / 6)], 3, 20);
        Assert.That(scores[..6], Is.All.EqualTo(float.PositiveInfinity));
        Assert.That(scores[6..12].Min(), Is.GreaterThan(scores[12..].Max()));
    }

    [Test]
    public void Bad_assignments_are_refused()
    {
        var x = SelectionData.Uniform(6, 2, seed: 1);
        Assert.Throws<ArgumentException>(() => Typicality.WithinClusters(x, [0, 1, 2], 3, 20));
        Assert.Throws<ArgumentException>(() => Typicality.WithinClusters(x, [0, 0, 0, 0, 0, 3], 3, 20));
    }
}
