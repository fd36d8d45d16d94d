using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MoCo.Evaluation;
using MoCo.Training.Evaluation;

namespace MoCo.MLNet.Tests.Probing;

// The linear protocol is one objective whatever the trainer: ML.NET's head standardises as MoCo.Evaluation's
// Standardization does, and L-BFGS (ML.NET), SDCA (ML.NET) and Adam (MoCo.Training, libtorch) reach the same minimum of
// LinearProtocol.Objective, computed in doubles from each trainer's own weights.
public class LinearHeadTests
{
    private const int Classes = 4, D = 6;

    /// <summary>Overlapping Gaussian blobs (so the minimum has a finite, non-zero loss): class c's centre is 1.5·e_c;
    /// feature d has its own offset and scale; feature 5 is constant.</summary>
    private static (FeatureMatrix X, int[] Y) Blobs(int n, int seed)
    {
        var rng = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = new float[n * D];
        var y = new int[n];
        for (var i = 0; i < n; i++)
        {
            y[i] = i % Classes;
            for (var d = 0; d < D; d++)
            {
                x[(i * D) + d] = d == 5 ? 3f : (float)((((d == y[i] ? 1.5 : 0) + Gaussian()) * (d + 1)) + (10 * d));
            }
        }

        return (new FeatureMatrix(x, n, D), y);
    }

    private static IDataView View(MLContext ml, FeatureMatrix x, int[] y)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, D);
        return ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Rows).Select(i => new Row { Features = x.Row(i).ToArray(), Label = $"c{y[i]}" }).ToArray(), definition);
    }

    /// <summary>W (D × C, row-major) and b of a fitted head (classes in key order: c0..c3, as the rows first show them).</summary>
    private static (float[] W, float[] B) Weights(ITransformer head)
    {
        var model = ((MulticlassPredictionTransformer<MaximumEntropyModelParameters>)((IEnumerable<ITransformer>)head).Last()).Model;
        VBuffer<float>[] perClass = [];
        model.GetWeights(ref perClass, out var classes);
        Assert.That(classes, Is.EqualTo(Classes));
        var w = new float[D * Classes];
        for (var c = 0; c < Classes; c++)
        {
            var dense = perClass[c].DenseValues().ToArray();
            for (var d = 0; d < D; d++)
            {
                w[(d * Classes) + c] = dense[d];
            }
        }

        return (w, model.GetBiases().ToArray());
    }

    // Tiny full-batch problems: libtorch's thread pool only adds contention on a shared machine (Adam's 3,000 steps).
    private int _threads;

    [SetUp]
    public void OneThread()
    {
        _threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
    }

    [TearDown]
    public void RestoreThreads() => TorchSharp.torch.set_num_threads(_threads);

    [Test]
    public void The_head_standardises_as_the_protocol()
    {
        var (x, y) = Blobs(300, 1);
        var ml = new MLContext(1);
        var data = View(ml, x, y);
        var head = MoCoProbe.Head(ml, nameof(Row.Features), nameof(Row.Label), LinearTrainer.Lbfgs, 1e-4f).Fit(data);
        var column = nameof(Row.Features) + ".Standardized";
        var mlnet = head.Transform(data).GetColumn<float[]>(column).SelectMany(r => r).ToArray();
        var expected = Standardization.Fit(x).Apply(x).Values;
        // Both accumulate μ and σ in doubles (ML.NET skips zeros and adds them back at the end), then round to float32.
        Assert.That(mlnet, Is.EqualTo(expected).Within(1e-6));
        Assert.That(Enumerable.Range(0, x.Rows).Select(i => mlnet[(i * D) + 5]), Is.All.EqualTo(0f), "the constant feature maps to 0");
    }

    // λ = 1e-4 (the default: the loss dominates) and 0.05 (the L2 term matters, so a wrong scaling of it shows).
    // Tolerances: L-BFGS runs to ML.NET's tolerance 1e-7 and is the reference minimum; SDCA stops at its duality gap;
    // Adam (lr 0.05) is given 3,000 full-batch steps.
    [TestCase(1e-4)]
    [TestCase(0.05)]
    public void Lbfgs_sdca_and_adam_reach_the_same_minimum_of_the_protocols_objective(double l2)
    {
        var (x, y) = Blobs(400, 2);
        var z = Standardization.Fit(x).Apply(x);
        var ml = new MLContext(2);
        var data = View(ml, x, y);
        double J(float[] w, float[] b) => LinearProtocol.Objective(z, y, Classes, w, b, l2);

        var (wl, bl) = Weights(MoCoProbe.Head(ml, nameof(Row.Features), nameof(Row.Label), LinearTrainer.Lbfgs, (float)l2).Fit(data));
        var (ws, bs) = Weights(MoCoProbe.Head(ml, nameof(Row.Features), nameof(Row.Label), LinearTrainer.Sdca, (float)l2).Fit(data));
        var adam = MoCo.Training.Evaluation.LinearProbe.Fit(x, y, Classes, new LinearProbeOptions { Iterations = 3000, L2 = l2 });
        double lbfgs = J(wl, bl), sdca = J(ws, bs), adamJ = J(adam.Weight.ToArray(), adam.Bias.ToArray());
        TestContext.Out.WriteLine($"λ {l2}: J lbfgs {lbfgs:R}, sdca {sdca:R}, adam {adamJ:R} (adam's own final loss {adam.FinalLoss:R})");

        // Measured: J(Adam) − J(L-BFGS) = 8e-8 (λ 1e-4) and 1e-7 (λ 0.05); J(SDCA) is 0.4–0.7% above the minimum.
        Assert.That(adam.FinalLoss, Is.EqualTo(adamJ).Within(1e-5), "Adam's objective is the protocol's");
        Assert.That(adamJ, Is.EqualTo(lbfgs).Within(1e-5), "Adam and L-BFGS minimise the same J");
        Assert.That(lbfgs, Is.LessThanOrEqualTo(adamJ + 1e-6), "L-BFGS is the minimiser");
        // SDCA approximates the protocol: ML.NET's SDCA also puts λ on the biases and stops at its duality-gap tolerance.
        Assert.That(sdca, Is.InRange(lbfgs - 1e-6, lbfgs * 1.01));
        // Worse by far: ML.NET's L-BFGS with the L2 weight as it reads it (divided by N) and its default L1 of 1.
        var plain = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(MoCoProbe.LabelKey, "Features.Standardized", l2Regularization: (float)l2);
        var old = ml.Transforms.NormalizeMeanVariance("Features.Standardized", nameof(Row.Features), fixZero: false)
            .Append(ml.Transforms.Conversion.MapValueToKey(MoCoProbe.LabelKey, nameof(Row.Label))).Append(plain).Fit(data);
        var (wo, bo) = Weights(old);
        Assert.That(J(wo, bo), Is.GreaterThan(lbfgs + 1e-4), "the defaults are another objective");
    }

    [Test]
    public void Adam_is_refused_by_MLNets_head()
    {
        var ml = new MLContext(0);
        Assert.That(() => MoCoProbe.Head(ml, "Features", "Label", LinearTrainer.Adam, 1e-4f), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("MoCo.Training"));
        Assert.That(() => MoCoProbe.Head(ml, "Features", "Label", LinearTrainer.Lbfgs, -1f), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
