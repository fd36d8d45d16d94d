using TorchSharp;
using MoCo.Evaluation;
using MoCo.Training.Evaluation;
using MoCo.Training.Tests.Reference;
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
        long[] predicted = MoCo.Training.Evaluation.Knn.Predict(features, bank, labels, Classes, K, T).ToArray<long>();

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
        Assert.That(MoCo.Training.Evaluation.Knn.Predict(features, bank, labels, 4, k: 5).ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 2, 3 }));
    }

    private static FeatureMatrix Random(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        return new FeatureMatrix(Enumerable.Range(0, rows * columns).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray(), rows, columns);
    }

    // The adapter is the protocol: the same predictions as MoCo.Evaluation's managed kNN on the same features (moved here
    // from MoCo.MLNet's KnnClassifierTests), at the defaults and at other k and t.
    [TestCase(KnnOptions.DefaultK, KnnOptions.DefaultTemperature)]
    [TestCase(7, 0.5f)]
    [TestCase(5000, 0.07f)]
    public void Predictions_equal_the_protocols_managed_knn(int k, float t)
    {
        const int classes = 10;
        var bank = Random(1500, 32, seed: 4).L2Normalised();
        var queries = Random(300, 32, seed: 5).L2Normalised();
        var rng = new Random(6);
        var labels = Enumerable.Range(0, bank.Rows).Select(_ => rng.Next(classes)).ToArray();
        var managed = MoCo.Evaluation.Knn.Predict(queries, bank, labels, classes, new KnnOptions { K = k, Temperature = t });

        using var scope = NewDisposeScope();
        var torchPredicted = MoCo.Training.Evaluation.Knn.Predict(FeatureTensors.ToTensor(queries), FeatureTensors.ToTensor(bank),
            tensor(labels.Select(l => (long)l).ToArray()), classes, k, t).data<long>().ToArray();
        Assert.That(managed.Select(p => (long)p), Is.EqualTo(torchPredicted));
    }

    [Test]
    public void Tensors_and_feature_matrices_convert_both_ways()
    {
        using var scope = NewDisposeScope();
        var x = arange(6, dtype: ScalarType.Float64).view(2, 3);
        var m = FeatureTensors.ToMatrix(x);
        Assert.That((m.Rows, m.Columns, m.Values), Is.EqualTo((2, 3, new float[] { 0, 1, 2, 3, 4, 5 })));
        Assert.That(FeatureTensors.ToTensor(m).data<float>().ToArray(), Is.EqualTo(m.Values));
        Assert.That(() => FeatureTensors.ToMatrix(zeros(3)), Throws.ArgumentException);
    }

    // Reference: PyTorch (Debian's torch 1.13) on the same raw features, the vote written as MoCo's CIFAR demo monitor
    // writes it (normalize, mm, topk, one-hot labels weighted by exp(s / t), summed, argmax). Clustered features, so the
    // classes are not chance, with k 20 and 200.
    [TestCase(20, 0.1f)]
    [TestCase(200, 0.07f)]
    public void Predictions_equal_pytorch_on_the_same_features(int k, float t)
    {
        const int classes = 5, M = 600, B = 150, D = 16;
        var rng = new Random(11);
        var centres = Enumerable.Range(0, classes * D).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int[] bankLabels = Enumerable.Range(0, M).Select(_ => rng.Next(classes)).ToArray(), queryLabels = Enumerable.Range(0, B).Select(_ => rng.Next(classes)).ToArray();
        FeatureMatrix Around(int[] labels) => new(labels.SelectMany(c => Enumerable.Range(0, D).Select(d => centres[c * D + d] + (float)(rng.NextDouble() * 2.4 - 1.2))).ToArray(), labels.Length, D);
        FeatureMatrix bank = Around(bankLabels), queries = Around(queryLabels);
        var managed = MoCo.Evaluation.Knn.Classify(queries, bank, bankLabels, classes, new KnnOptions { K = k, Temperature = t });

        using var scope = NewDisposeScope();
        using var reference = PyTorch.Run(string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""
            f = F.normalize(inp['queries'], dim=1)
            b = F.normalize(inp['bank'], dim=1)
            w, idx = (f @ b.t()).topk({{k}}, dim=1)
            one_hot = torch.zeros(f.shape[0], {{k}}, {{classes}}).scatter_(2, inp['labels'].long()[idx].unsqueeze(-1), 1.0)
            out['pred'] = (one_hot * (w / {{t:R}}).exp().unsqueeze(-1)).sum(1).argmax(1)
            """), [new("queries", FeatureTensors.ToTensor(queries)), new("bank", FeatureTensors.ToTensor(bank)), new("labels", tensor(bankLabels.Select(l => (long)l).ToArray()))]);
        long[] expected = reference.Tensors["pred"].data<long>().ToArray();
        Assert.That(managed.Select(p => (long)p), Is.EqualTo(expected));
        double top1 = Accuracy.Top1(queryLabels, managed);
        Assert.That(top1, Is.InRange(0.5, 1.0), "clustered features: far above chance (0.2)");
    }
}
