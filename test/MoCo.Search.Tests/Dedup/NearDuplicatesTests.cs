using MoCo.Evaluation;
using MoCo.Search.Dedup;
using MoCo.Search.Exact;
using MoCo.Search.Tests.Support;

namespace MoCo.Search.Tests.Dedup;

// Reference: the calibration's input recomputed by brute force in double (every row's nearest candidate by centred
// cosine, from the raw rows and their column means); planted near-copies (a row plus noise 1% of its spread) must be
// grouped, and nothing else; a hand-made chain for the grouping. Image-level planted duplicates are tested through
// `moco dedup` in MoCo.Cli.Tests.
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
        var reference = LookAlikeFloor.Fit(nearest);
        Assert.That(found.Calibration!.MedianDistance, Is.EqualTo(reference.MedianDistance).Within(1e-5));
        Assert.That(found.Threshold, Is.EqualTo(reference.Threshold).Within(1e-5));
        Assert.That(found.Calibration.Rows, Is.EqualTo(403));
    }

    [Test]
    public void A_chain_of_duplicates_is_not_one_group()
    {
        // a, b, c on a circle 6° apart: a~b and b~c at cos 6° = 0.9945, a and c at cos 12° = 0.978; threshold 0.99.
        var angles = new[] { 0.0, 6.0, 12.0, 90.0 };
        var rows = new FeatureMatrix(angles.SelectMany(a => new[] { (float)Math.Cos(a * Math.PI / 180), (float)Math.Sin(a * Math.PI / 180) }).ToArray(), 4, 2);
        var candidates = ExactCosineSearch.Search(rows, rows, 2, [0, 1, 2, 3]);
        var found = NearDuplicates.Find(rows, 4, candidates, 0.99);
        Assert.That(found.Groups, Is.EqualTo(new[] { new[] { 0, 1 } }).AsCollection, "c joins no group: its only duplicate, b, is already a's");
        Assert.That(found.Kept(4), Is.EqualTo(new[] { 0, 2, 3 }));

        // Union–find would have merged the chain; here every member is within the threshold of its group's kept row.
        var lookAlikes = SyntheticFeatures.Clustered(300, 16, 3, seed: 8, spread: 0.3f);
        var centred = CentredFeatures.Of(lookAlikes);
        var many = NearDuplicates.Find(centred, 300, ExactCosineSearch.Search(centred, centred, 10, Enumerable.Range(0, 300).Select(i => (long)i).ToArray()), 0.6);
        Assert.That(many.Groups.Count, Is.GreaterThan(5));
        foreach (var group in many.Groups)
        {
            Assert.That(group.Skip(1).Select(m => System.Numerics.Tensors.TensorPrimitives.Dot(centred.Row(group[0]), centred.Row(m))), Has.All.GreaterThanOrEqualTo(0.6f));
        }

        Assert.That(many.Groups.SelectMany(g => g).Distinct().Count(), Is.EqualTo(many.Groups.Sum(g => g.Count)), "a row is in one group at most");
    }

    [Test]
    public void The_default_on_a_store_of_look_alikes_without_duplicates_groups_nothing()
    {
        // 3,000 rows in 30 tight clusters: every row has look-alikes, none has a duplicate.
        var rows = SyntheticFeatures.Clustered(3_000, 64, 30, seed: 12, spread: 0.25f);
        var unit = rows.L2Normalised();
        var candidates = ExactCosineSearch.Search(unit, unit, 10, Enumerable.Range(0, 3_000).Select(i => (long)i).ToArray());
        var found = NearDuplicates.Find(rows, candidates);
        TestContext.Out.WriteLine($"T {found.Threshold:F5} ({found.Calibration!.Describe()})");
        Assert.That(found.Groups, Is.Empty);
        Assert.That(found.Calibration.Fallback, Is.Null);

        // The same store with its first 30 rows planted again (plus noise 1% of the spread): those, and only those, grouped.
        var rng = new Random(13);
        var values = rows.Values.Concat(Enumerable.Range(0, 30).SelectMany(r => rows.Row(r).ToArray().Select(v => v + (0.0025f * (float)(rng.NextDouble() - 0.5))))).ToArray();
        var planted = new FeatureMatrix(values, 3_030, 64);
        var plantedUnit = planted.L2Normalised();
        var again = NearDuplicates.Find(planted, ExactCosineSearch.Search(plantedUnit, plantedUnit, 10, Enumerable.Range(0, 3_030).Select(i => (long)i).ToArray()));
        Assert.That(again.Groups, Is.EqualTo(Enumerable.Range(0, 30).Select(r => new[] { r, 3_000 + r })).AsCollection);
    }

    [Test]
    public void A_given_threshold_is_used_as_is_and_out_of_range_ones_are_refused()
    {
        var rows = SyntheticFeatures.Clustered(50, 8, 2, seed: 7);
        var unit = rows.L2Normalised();
        var candidates = ExactCosineSearch.Search(unit, unit, 5, Enumerable.Range(0, 50).Select(i => (long)i).ToArray());
        var all = NearDuplicates.Find(rows, candidates, threshold: -1);
        Assert.That((all.Threshold, all.Calibration), Is.EqualTo((-1.0, (Calibration?)null)));
        // At -1 every candidate pair is a duplicate: a row is left alone only when each of its candidates was already taken.
        var grouped = all.Groups.SelectMany(g => g).ToHashSet();
        Assert.That(grouped.Count, Is.GreaterThan(25));
        foreach (var row in Enumerable.Range(0, 50).Where(r => !grouped.Contains(r)))
        {
            Assert.That(candidates[row].Select(n => (int)n.Row), Is.SubsetOf(grouped), $"row {row}");
        }
        Assert.That(() => NearDuplicates.Find(rows, candidates, 1.5), Throws.ArgumentException.With.Message.Contains("between -1 and 1"));
    }

    [Test]
    public void Crop_pairs_join_groups_when_they_reach_the_threshold_and_leave_the_calibration_alone()
    {
        var rows = SyntheticFeatures.Clustered(400, 32, 8, seed: 5);
        var unit = rows.L2Normalised();
        var candidates = ExactCosineSearch.Search(unit, unit, 10, Enumerable.Range(0, 400).Select(i => (long)i).ToArray());
        var centred = CentredFeatures.Of(rows);
        var without = NearDuplicates.Find(centred, 400, candidates, threshold: null);
        Assert.That(without.Groups, Is.Empty);

        // Rows 7 and 300 through a crop view at 0.9999 (a duplicate), rows 8 and 9 at 0.5 (not one).
        var crops = new[] { new CropPair(300, 7, 0.9999f), new CropPair(8, 9, 0.5f) };
        var with = NearDuplicates.Find(centred, 400, candidates, threshold: null, crops);
        Assert.That(with.Threshold, Is.EqualTo(without.Threshold));
        Assert.That(with.Calibration!.MedianDistance, Is.EqualTo(without.Calibration!.MedianDistance));
        Assert.That(with.Groups, Is.EqualTo(new[] { new[] { 7, 300 } }).AsCollection);
        Assert.That(() => NearDuplicates.Find(centred, 400, candidates, null, [new CropPair(0, 400, 1f)]),
            Throws.ArgumentException.With.Message.Contains("outside the 400 rows"));
    }
}
