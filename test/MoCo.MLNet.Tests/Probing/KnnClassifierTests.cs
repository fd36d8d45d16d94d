using MoCo.MLNet.Probing;
using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.MLNet.Tests.Probing;

public class KnnClassifierTests
{
    private static FeatureMatrix Random(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        return new FeatureMatrix(Enumerable.Range(0, rows * columns).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray(), rows, columns);
    }

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

    [Test]
    public void Votes_and_predictions_match_a_brute_force_reference([Values(1, 7, 200, 5000)] int k)
    {
        const int classes = 6;
        var bank = Random(400, 24, seed: 1);
        var queries = Random(37, 24, seed: 2);
        var rng = new Random(3);
        var labels = Enumerable.Range(0, bank.Rows).Select(_ => rng.Next(classes)).ToArray();
        var votes = new float[queries.Rows * classes];
        var predicted = KnnClassifier.Predict(queries.L2Normalised(), bank.L2Normalised(), labels, classes, k, 0.1f, votes);
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
    }

    // The same rule as MoCo.Training's libtorch monitor (topk + scatter_add + argmax) on the same features.
    [Test]
    public void Predictions_equal_MoCo_Trainings_libtorch_knn()
    {
        const int classes = 10;
        var bank = Random(1500, 32, seed: 4).L2Normalised();
        var queries = Random(300, 32, seed: 5).L2Normalised();
        var rng = new Random(6);
        var labels = Enumerable.Range(0, bank.Rows).Select(_ => rng.Next(classes)).ToArray();
        var managed = KnnClassifier.Predict(queries, bank, labels, classes);

        using var scope = NewDisposeScope();
        var torchPredicted = MoCo.Training.Evaluation.Knn.Predict(
            tensor(queries.Values, [queries.Rows, queries.Columns]), tensor(bank.Values, [bank.Rows, bank.Columns]),
            tensor(labels.Select(l => (long)l).ToArray()), classes).data<long>().ToArray();
        Assert.That(managed.Select(p => (long)p), Is.EqualTo(torchPredicted));
    }

    [Test]
    public void Rows_are_normalised_as_pytorch_normalize()
    {
        var m = new FeatureMatrix([3, 4, 0, 0], 2, 2).L2Normalised();
        Assert.That(m.Values, Is.EqualTo(new[] { 0.6f, 0.8f, 0f, 0f }));
    }

    [Test]
    public void Bad_inputs_are_refused_with_a_message()
    {
        var bank = Random(5, 3, 1);
        Assert.That(() => KnnClassifier.Predict(Random(2, 4, 2), bank, [0, 1, 0, 1, 0], 2), Throws.ArgumentException.With.Message.Contains("4 features"));
        Assert.That(() => KnnClassifier.Predict(Random(2, 3, 2), bank, [0, 1, 0, 1, 2], 2), Throws.ArgumentException.With.Message.Contains("outside [0, 2)"));
        Assert.That(() => KnnClassifier.Predict(Random(2, 3, 2), bank, [0, 1], 2), Throws.ArgumentException.With.Message.Contains("2 labels"));
    }
}
