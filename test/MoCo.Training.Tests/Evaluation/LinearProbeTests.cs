using MoCo.Training.Evaluation;

namespace MoCo.Training.Tests.Evaluation;

public class LinearProbeTests
{
    // Tiny full-batch problems: libtorch's thread pool only adds contention on a shared machine.
    private int threads;

    [SetUp]
    public void OneThread()
    {
        threads = get_num_threads();
        set_num_threads(1);
    }

    [TearDown]
    public void RestoreThreads() => set_num_threads(threads);

    // Reference for predictions: the fitted arrays applied in C# doubles (standardise as (x − mean)·scale, z·W + b, argmax).
    private static long[] PredictByHand(LinearProbe probe, float[] x, int n)
    {
        int d = probe.Mean.Count, c = probe.Classes;
        var predicted = new long[n];
        for (int i = 0; i < n; i++)
        {
            var scores = new double[c];
            for (int k = 0; k < c; k++)
            {
                double s = probe.Bias[k];
                for (int j = 0; j < d; j++) s += (x[i * d + j] - (double)probe.Mean[j]) * probe.Scale[j] * probe.Weight[j * c + k];
                scores[k] = s;
            }
            predicted[i] = Array.IndexOf(scores, scores.Max());
        }
        return predicted;
    }

    private static (float[] x, long[] y) Blobs(Random rng, int n, int d, int classes, double spread)
    {
        // Class k's centre is 4·e_k (+ an offset on every axis); noise N(0, spread²): with spread 0.3 the classes are
        // separated by a margin of over 6 standard deviations, so a linear classifier must get every test point right.
        var x = new float[n * d];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % classes;
            for (int j = 0; j < d; j++)
                x[i * d + j] = (float)((j == y[i] ? 4.0 : 0.0) + 1.5 + spread * Gaussian(rng));
        }
        return (x, y);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Test]
    public void Separable_classes_are_classified_perfectly_and_predictions_match_the_arrays()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(3);
        const int D = 6, C = 4;
        var (xTrain, yTrain) = Blobs(rng, 200, D, C, 0.3);
        var (xTest, yTest) = Blobs(rng, 400, D, C, 0.3);
        var train = tensor(xTrain).view(200, D);
        var test = tensor(xTest).view(400, D);
        var probe = LinearProbe.Fit(train, yTrain, C);
        Assert.That(probe.Accuracy(test, yTest), Is.EqualTo(1.0));
        Assert.That(probe.Predict(test), Is.EqualTo(PredictByHand(probe, xTest, 400)));
        Assert.That(probe.Predict(test), Is.EqualTo(yTest), "closed form: each point's class is its centre's");
    }

    [Test]
    public void Random_labels_give_chance_accuracy_on_held_out_data()
    {
        // Features carry no information about held-out labels: the probe can fit the training labels (it memorises
        // some), but on new samples its accuracy is Binomial(2000, 0.1)/2000: 0.1 ± 0.0067, so [0.07, 0.13] is ±4.5σ.
        using var scope = NewDisposeScope();
        var rng = new Random(5);
        const int D = 32, C = 10, NTrain = 300, NTest = 2000;
        float[] Features(int n) => Enumerable.Range(0, n * D).Select(_ => (float)Gaussian(rng)).ToArray();
        long[] Labels(int n) => Enumerable.Range(0, n).Select(_ => (long)rng.Next(C)).ToArray();
        float[] xTrain = Features(NTrain), xTest = Features(NTest);
        long[] yTrain = Labels(NTrain), yTest = Labels(NTest);
        var probe = LinearProbe.Fit(tensor(xTrain).view(NTrain, D), yTrain, C);
        double trainAccuracy = probe.Accuracy(tensor(xTrain).view(NTrain, D), yTrain);
        double testAccuracy = probe.Accuracy(tensor(xTest).view(NTest, D), yTest);
        Assert.That(trainAccuracy, Is.GreaterThan(0.3), "33 parameters per class fit 300 random labels well above chance");
        Assert.That(testAccuracy, Is.InRange(0.07, 0.13));
        long[] byHand = PredictByHand(probe, xTest, NTest);
        Assert.That(testAccuracy, Is.EqualTo(byHand.Zip(yTest).Count(p => p.First == p.Second) / (double)NTest));
    }

    [Test]
    public void Bad_input_is_refused_before_fitting()
    {
        using var scope = NewDisposeScope();
        var x = zeros(4, 3);
        Assert.Throws<ArgumentException>(() => LinearProbe.Fit(x, [0, 1, 0], 2));
        Assert.Throws<ArgumentException>(() => LinearProbe.Fit(x, [0, 1, 0, 2], 2));
        Assert.Throws<ArgumentException>(() => LinearProbe.Fit(x, [0, 1, 0, 1], 2, new LinearProbeOptions { Iterations = 0 }));
        var probe = LinearProbe.Fit(x + arange(4).view(4, 1), [0, 1, 0, 1], 2, new LinearProbeOptions { Iterations = 5 });
        Assert.Throws<ArgumentException>(() => probe.Predict(zeros(2, 5)));
    }
}
