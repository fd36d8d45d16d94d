using MoCo.Evaluation;
using MoCo.Search.Exact;
using MoCo.Search.Tests.Support;

namespace MoCo.Search.Tests.Exact;

// Reference: NaiveCosine (double precision from the raw rows, full sort). Tolerance on similarities 1e-5 (float dot of
// unit vectors of 48 values); ranks must agree exactly wherever the reference's neighbours differ by more than that.
public class ExactCosineSearchTests
{
    private static readonly FeatureMatrix Rows = SyntheticFeatures.Clustered(700, 48, 12, seed: 1);

    [Test]
    public void Top_k_equals_the_naive_reference_with_each_query_left_out_of_its_own_result()
    {
        var queries = Rows.Select(Enumerable.Range(0, 70).Select(i => i * 10).ToArray());
        var excluded = Enumerable.Range(0, 70).Select(i => (long)(i * 10)).ToArray();
        var found = ExactCosineSearch.Search(Rows.L2Normalised(), queries.L2Normalised(), 10, excluded);
        for (var q = 0; q < queries.Rows; q++)
        {
            var reference = NaiveCosine.Ranked(Rows, queries.Row(q), excluded[q]);
            Assert.That(found[q], Has.Length.EqualTo(10));
            Assert.That(found[q].Select(n => n.Row), Does.Not.Contain(excluded[q]));
            for (var i = 0; i < 10; i++)
            {
                Assert.That(found[q][i].Similarity, Is.EqualTo(reference[i].Similarity).Within(1e-5), $"query {q} rank {i}");
                var separated = (i == 0 || reference[i - 1].Similarity - reference[i].Similarity > 1e-5) && reference[i].Similarity - reference[i + 1].Similarity > 1e-5;
                if (separated)
                {
                    Assert.That(found[q][i].Row, Is.EqualTo(reference[i].Row), $"query {q} rank {i}");
                }
            }
        }
    }

    [Test]
    public void Splitting_the_queries_over_threads_changes_nothing()
    {
        var unit = Rows.L2Normalised();
        var one = ExactCosineSearch.Search(unit, unit, 7, threads: 1);
        var three = ExactCosineSearch.Search(unit, unit, 7, threads: 3);
        Assert.That(three, Is.EqualTo(one).AsCollection);
    }

    [Test]
    public void Equal_similarities_come_in_row_order_and_k_beyond_the_rows_gives_every_row()
    {
        var same = new FeatureMatrix([1, 0, 1, 0, 2, 0, 0, 1], 4, 2).L2Normalised();
        var found = ExactCosineSearch.Search(same, new FeatureMatrix([1, 0], 1, 2), 10)[0];
        Assert.That(found.Select(n => n.Row), Is.EqualTo(new long[] { 0, 1, 2, 3 }));
        Assert.That(found.Select(n => n.Similarity), Is.EqualTo(new[] { 1f, 1f, 1f, 0f }));
    }

    [Test]
    public void Mismatched_shapes_are_refused()
    {
        Assert.That(() => ExactCosineSearch.Search(Rows, new FeatureMatrix(new float[5], 1, 5), 3), Throws.ArgumentException.With.Message.Contains("5 features"));
        Assert.That(() => ExactCosineSearch.Search(Rows, Rows, 3, [1, 2]), Throws.ArgumentException.With.Message.Contains("2 excluded rows"));
    }
}
