using TorchSharp;
using MoCo.Training.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Evaluation;

public class KnnTests
{
    // Reference: brute force in C# doubles — cosine similarities, the k largest, votes exp(sim / t) per class.
    [Test]
    public void Predictions_equal_a_brute_force_weighted_vote()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        const int M = 300, B = 40, D = 12, Classes = 5, K = 20;
        const double T = 0.1;
        var bank = nn.functional.normalize(randn([M, D], ScalarType.Float64), dim: 1);
        var features = nn.functional.normalize(randn([B, D], ScalarType.Float64), dim: 1);
        var labels = randint(0, Classes, [M]);
        long[] predicted = Knn.Predict(features, bank, labels, Classes, K, T).ToArray<long>();

        double[] fb = bank.ToArray<double>(), ff = features.ToArray<double>();
        long[] lb = labels.ToArray<long>();
        for (int i = 0; i < B; i++)
        {
            var sims = Enumerable.Range(0, M).Select(j => (j, s: Enumerable.Range(0, D).Sum(d => ff[i * D + d] * fb[j * D + d])))
                .OrderByDescending(x => x.s).Take(K);
            var votes = new double[Classes];
            foreach (var (j, s) in sims) votes[lb[j]] += Math.Exp(s / T);
            Assert.That(predicted[i], Is.EqualTo(Array.IndexOf(votes, votes.Max())), $"sample {i}");
        }
    }

    [Test]
    public void A_perfectly_separated_bank_classifies_perfectly()
    {
        using var scope = NewDisposeScope();
        var bank = eye(4, dtype: ScalarType.Float32).repeat(5, 1);            // 20 vectors: 5 copies of each axis
        var labels = arange(4, dtype: ScalarType.Int64).repeat(5);
        var features = eye(4, dtype: ScalarType.Float32);
        Assert.That(Knn.Predict(features, bank, labels, 4, k: 5).ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 2, 3 }));
    }
}
