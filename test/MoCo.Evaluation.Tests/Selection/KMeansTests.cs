using MoCo.Evaluation.Selection;

namespace MoCo.Evaluation.Tests.Selection;

public class KMeansTests
{
    /// <summary>Reference: Lloyd written out in doubles from the same starting centroids (no empty clusters arise here).</summary>
    private static int[] NaiveLloyd(double[][] rows, double[][] centroids, int iterations)
    {
        var assignment = new int[rows.Length];
        for (var it = 0; it <= iterations; it++)
        {
            for (var i = 0; i < rows.Length; i++)
            {
                assignment[i] = Enumerable.Range(0, centroids.Length).MinBy(c => SelectionData.SquaredDistance(rows[i], centroids[c]));
            }

            if (it == iterations) break;
            centroids = Enumerable.Range(0, centroids.Length).Select(c =>
            {
                var members = Enumerable.Range(0, rows.Length).Where(i => assignment[i] == c).ToArray();
                return Enumerable.Range(0, rows[0].Length).Select(d => members.Average(i => rows[i][d])).ToArray();
            }).ToArray();
        }

        return assignment;
    }

    [Test]
    public void Lloyd_assignments_equal_a_naive_reference_from_the_same_start()
    {
        var x = SelectionData.Uniform(400, 5, seed: 4);
        var start = KMeans.PlusPlus(x, 6, seed: 2);
        var result = KMeans.Lloyd(x, start, maxIterations: 100);
        var rows = Enumerable.Range(0, x.Rows).Select(i => x.Row(i).ToArray().Select(v => (double)v).ToArray()).ToArray();
        var centroids = Enumerable.Range(0, start.Rows).Select(c => start.Row(c).ToArray().Select(v => (double)v).ToArray()).ToArray();
        Assert.That(result.Iterations, Is.LessThan(100), "converged");
        Assert.That(result.Assignment, Is.EqualTo(NaiveLloyd(rows, centroids, result.Iterations)));
    }

    [Test]
    public void Separated_blobs_are_recovered()
    {
        var (x, blob) = SelectionData.Blobs([50, 60, 70, 80], columns: 8, spread: 0.02, seed: 6);
        var result = KMeans.Fit(x.L2Normalised(), 4, seed: 0);
        // Each blob maps to exactly one cluster and each cluster to one blob.
        var pairs = blob.Zip(result.Assignment).Distinct().ToArray();
        Assert.That(pairs, Has.Length.EqualTo(4));
        Assert.That(pairs.Select(p => p.Second).Distinct().Count(), Is.EqualTo(4));
    }

    [Test]
    public void More_clusters_than_distinct_rows_still_gives_a_result()
    {
        var x = new FeatureMatrix([1, 0, 1, 0, 0, 1, 0, 1], 4, 2);
        var result = KMeans.Fit(x, 3, seed: 0);
        Assert.That(result.Assignment, Has.All.InRange(0, 2));
        Assert.That(result.SquaredDistance, Has.All.EqualTo(0f).Within(1e-6f));
    }
}
