namespace MoCo.Evaluation.Tests;

public class KnnTests
{
    private static FeatureMatrix Random(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        return new FeatureMatrix(Enumerable.Range(0, rows * columns).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray(), rows, columns);
    }

    private static FeatureMatrix Rows(params float[][] rows) => new(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);

    /// <summary>The rule written out plainly in double precision: every similarity, sorted, the first k vote exp(s / t).</summary>
    private static double[] BruteForceVotes(FeatureMatrix q, int row, FeatureMatrix bank, int[] labels, int classes, int k, double t)
    {
        var sims = Enumerable.Range(0, bank.Rows).Select(j =>
        {
            double dot = 0, nq = 0, nb = 0;
            for (var d = 0; d < q.Columns; d++)
            {
                dot += (double)q.Values[(row * q.Columns) + d] * bank.Values[(j * bank.Columns) + d];
                nq += (double)q.Values[(row * q.Columns) + d] * q.Values[(row * q.Columns) + d];
                nb += (double)bank.Values[(j * bank.Columns) + d] * bank.Values[(j * bank.Columns) + d];
            }

            return (Sim: dot / Math.Sqrt(nq) / Math.Sqrt(nb), Label: labels[j]);
        }).OrderByDescending(p => p.Sim).Take(k);
        var votes = new double[classes];
        foreach (var (sim, label) in sims)
        {
            votes[label] += Math.Exp(sim / t);
        }

        return votes;
    }

    // Reference: brute force in C# doubles (moved here from MoCo.MLNet's KnnClassifierTests).
    [Test]
    public void Votes_and_predictions_match_a_brute_force_reference([Values(1, 7, 200, 5000)] int k)
    {
        const int classes = 6;
        var bank = Random(400, 24, seed: 1);
        var queries = Random(37, 24, seed: 2);
        var rng = new Random(3);
        var labels = Enumerable.Range(0, bank.Rows).Select(_ => rng.Next(classes)).ToArray();
        var votes = new float[queries.Rows * classes];
        var predicted = Knn.Predict(queries.L2Normalised(), bank.L2Normalised(), labels, classes, new KnnOptions { K = k, Temperature = 0.1f }, votes);
        for (var i = 0; i < queries.Rows; i++)
        {
            var expected = BruteForceVotes(queries, i, bank, labels, classes, Math.Min(k, bank.Rows), 0.1);
            for (var c = 0; c < classes; c++)
            {
                // float32 similarities (error ~1e-7) enter exp(s / 0.1) amplified tenfold: 1e-5 relative.
                Assert.That(votes[(i * classes) + c], Is.EqualTo(expected[c]).Within(1e-3).Percent, $"query {i}, class {c}");
            }

            Assert.That(predicted[i], Is.EqualTo(Array.IndexOf(expected, expected.Max())), $"query {i}");
        }

        Assert.That(Knn.Classify(queries, bank, labels, classes, new KnnOptions { K = k }), Is.EqualTo(predicted), "Classify normalises the rows itself");
    }

    // Hand-computed: query (1, 0); bank (1, 0) class 0, twice (0, 1) class 1, (−1, 0) class 0; k = 3 takes the first three.
    // t = 1: class 0 gets e^1 = 2.718, class 1 gets 2·e^0 = 2, so class 0; t = 10: e^0.1 = 1.105 against 2, so class 1.
    [TestCase(1f, 0)]
    [TestCase(10f, 1)]
    public void The_temperature_weighs_the_votes_as_computed_by_hand(float t, int expected)
    {
        var bank = Rows([1, 0], [0, 1], [0, 1], [-1, 0]);
        var votes = new float[2];
        var predicted = Knn.Predict(Rows([1, 0]), bank, [0, 1, 1, 0], 2, new KnnOptions { K = 3, Temperature = t }, votes);
        Assert.That(predicted, Is.EqualTo(new[] { expected }));
        Assert.That(votes[0], Is.EqualTo(MathF.Exp(1 / t)).Within(1e-6).Percent);
        Assert.That(votes[1], Is.EqualTo(2f).Within(1e-6).Percent);
    }

    // Ties among similarities: the lower bank row ranks first, whatever order the rows come in.
    [Test]
    public void Equal_similarities_rank_by_the_lower_bank_row()
    {
        // k = 1, rows 0 and 1 both at similarity 1: row 0 votes.
        Assert.That(Knn.Predict(Rows([0, 1]), Rows([0, 1], [0, 1]), [1, 2], 3, new KnnOptions { K = 1 }), Is.EqualTo(new[] { 1 }));
        Assert.That(Knn.Predict(Rows([0, 1]), Rows([0, 1], [0, 1]), [2, 1], 3, new KnnOptions { K = 1 }), Is.EqualTo(new[] { 2 }));

        // k = 3 over similarities 0.6 (row 0, class 0), 1 (row 1, class 1), 0.6 (row 2, class 2), 1 (row 3, class 2):
        // rows 1 and 3 and then row 0 (not row 2) vote: class 0 gets e^6, class 1 e^10, class 2 e^10 (class 1 wins the tie).
        var bank = Rows([0.6f, 0.8f], [1, 0], [0.6f, -0.8f], [1, 0]);
        var votes = new float[3];
        var predicted = Knn.Predict(Rows([1, 0]), bank, [0, 1, 2, 2], 3, new KnnOptions { K = 3, Temperature = 0.1f }, votes);
        Assert.That(votes[0], Is.EqualTo(MathF.Exp(6)).Within(1e-4).Percent, "row 0 is the third neighbour");
        Assert.That(votes[2], Is.EqualTo(MathF.Exp(10)).Within(1e-4).Percent, "row 2 does not vote");
        Assert.That(predicted, Is.EqualTo(new[] { 1 }), "equal scores go to the lowest class");
    }

    [Test]
    public void Equal_scores_go_to_the_lowest_class()
    {
        // Query (1, 0); bank (0.6, ±0.8): both at similarity 0.6, one vote each of e^6.
        var bank = Rows([0.6f, 0.8f], [0.6f, -0.8f]);
        Assert.That(Knn.Predict(Rows([1, 0]), bank, [1, 0], 2, new KnnOptions { K = 2 }), Is.EqualTo(new[] { 0 }));
        Assert.That(Knn.Predict(Rows([1, 0]), bank, [0, 1], 2, new KnnOptions { K = 2 }), Is.EqualTo(new[] { 0 }));
        Assert.That(Knn.Predict(Rows([1, 0]), bank, [2, 1], 3, new KnnOptions { K = 2 }), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void A_perfectly_separated_bank_classifies_perfectly()
    {
        var axes = Enumerable.Range(0, 4).Select(c => Enumerable.Range(0, 4).Select(d => d == c ? 1f : 0f).ToArray()).ToArray();
        var bank = Rows(Enumerable.Range(0, 20).Select(i => axes[i % 4]).ToArray());       // 5 copies of each axis
        var labels = Enumerable.Range(0, 20).Select(i => i % 4).ToArray();
        Assert.That(Knn.Predict(Rows(axes), bank, labels, 4, new KnnOptions { K = 5 }), Is.EqualTo(new[] { 0, 1, 2, 3 }));
    }

    [Test]
    public void Rows_are_normalised_as_pytorch_normalize()
    {
        var m = new FeatureMatrix([3, 4, 0, 0], 2, 2).L2Normalised();
        Assert.That(m.Values, Is.EqualTo(new[] { 0.6f, 0.8f, 0f, 0f }));
    }

    [Test]
    public void Top1_is_the_fraction_right()
    {
        Assert.That(Accuracy.Top1([0, 1, 2, 1], [0, 2, 2, 1]), Is.EqualTo(0.75));
        Assert.That(() => Accuracy.Top1([0], [0, 1]), Throws.ArgumentException);
    }

    [Test]
    public void The_defaults_and_the_name_are_MoCos_monitor()
    {
        var options = new KnnOptions();
        Assert.That((options.K, options.Temperature), Is.EqualTo((200, 0.1f)));
        Assert.That(options.Name, Is.EqualTo("knn:cosine:k=200:t=0.1"));
    }

    [Test]
    public void Bad_inputs_are_refused_with_a_message()
    {
        var bank = Random(5, 3, 1);
        Assert.That(() => Knn.Predict(Random(2, 4, 2), bank, [0, 1, 0, 1, 0], 2), Throws.ArgumentException.With.Message.Contains("4 features"));
        Assert.That(() => Knn.Predict(Random(2, 3, 2), bank, [0, 1, 0, 1, 2], 2), Throws.ArgumentException.With.Message.Contains("outside [0, 2)"));
        Assert.That(() => Knn.Predict(Random(2, 3, 2), bank, [0, 1], 2), Throws.ArgumentException.With.Message.Contains("2 labels"));
        Assert.That(() => Knn.Predict(Random(2, 3, 2), bank, [0, 1, 0, 1, 0], 2, new KnnOptions { K = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Knn.Predict(Random(2, 3, 2), bank, [0, 1, 0, 1, 0], 2, new KnnOptions { Temperature = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
