using MoCo.Evaluation;
using MoCo.Search.Dedup;
using MoCo.Search.Exact;
using MoCo.Search.Tests.Support;

namespace MoCo.Search.Tests.Dedup;

// Reference: the calibration recomputed by brute force in double (every row's nearest other row by centred cosine,
// from the raw rows and their column means); planted near-copies (a row plus noise 1% of its spread) must be grouped,
// and nothing else. Image-level planted duplicates are tested through `moco dedup` in MoCo.Cli.Tests.
public class NearDuplicatesTests
{
    [Test]
    public void Planted_near_copies_are_grouped_alone_and_the_threshold_is_calibrated_on_the_rows()
    {
        var distinct = SyntheticFeatures.Clustered(400, 32, 8, seed: 5);
        var rng = new Random(6);
        var values = distinct.Values.ToList();
        var planted = new[] { 3, 50, 200 };
        foreach (var p in planted)
        {
            values.AddRange(distinct.Row(p).ToArray().Select(v => v + (0.006f * (float)(rng.NextDouble() - 0.5))));
        }

        var rows = new FeatureMatrix(values.ToArray(), 403, 32);
        var unit = rows.L2Normalised();
        var candidates = ExactCosineSearch.Search(unit, unit, 10, Enumerable.Range(0, 403).Select(i => (long)i).ToArray());
        var found = NearDuplicates.Find(rows, candidates);

        Assert.That(found.Groups, Is.EqualTo(new[] { new[] { 3, 400 }, new[] { 50, 401 }, new[] { 200, 402 } }).AsCollection);
        Assert.That(found.Kept(403), Is.EqualTo(Enumerable.Range(0, 400)));

        var mean = Enumerable.Range(0, 32).Select(d => Enumerable.Range(0, 403).Average(r => (double)rows.Row(r)[d])).ToArray();
        double CentredCosine(int a, int b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var d = 0; d < 32; d++)
            {
                double x = rows.Row(a)[d] - mean[d], y = rows.Row(b)[d] - mean[d];
                dot += x * y;
                na += x * x;
                nb += y * y;
            }

            return dot / Math.Sqrt(na * nb);
        }

        // The candidates are raw-cosine top 10; the reference takes each row's best centred cosine among the same rows.
        var nearest = Enumerable.Range(0, 403).Select(a => candidates[a].Min(n => 1 - CentredCosine(a, (int)n.Row))).Order().ToArray();
        Assert.That(found.MedianNearestDistance, Is.EqualTo(nearest[201]).Within(1e-5));
        Assert.That(found.Threshold, Is.EqualTo(1 - (0.25 * nearest[201])).Within(1e-5));
        Assert.That(found.Calibrated);
    }

    [Test]
    public void A_given_threshold_is_used_as_is_and_out_of_range_ones_are_refused()
    {
        var rows = SyntheticFeatures.Clustered(50, 8, 2, seed: 7);
        var unit = rows.L2Normalised();
        var candidates = ExactCosineSearch.Search(unit, unit, 5, Enumerable.Range(0, 50).Select(i => (long)i).ToArray());
        var all = NearDuplicates.Find(rows, candidates, threshold: -1);
        Assert.That((all.Threshold, all.Calibrated, all.Groups.Sum(g => g.Count)), Is.EqualTo((-1.0, false, 50)));
        Assert.That(() => NearDuplicates.Find(rows, candidates, 1.5), Throws.ArgumentException.With.Message.Contains("between -1 and 1"));
    }
}
