using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Evaluation;
using MoCo.MLNet.Probing;

namespace MoCo.MLNet.Tests.Probing;

public class ProbeMetricsTests
{
    // Hand-computed: 3 classes, 6 rows.
    [Test]
    public void Figures_of_a_small_case_match_hand_computation()
    {
        int[] truth = [0, 0, 1, 1, 2, 2];
        int[] predicted = [0, 1, 1, 1, 1, 2];
        float[] p = [0.7f, 0.2f, 0.1f, 0.4f, 0.5f, 0.1f, 0.1f, 0.8f, 0.1f, 0.2f, 0.6f, 0.2f, 0.1f, 0.9f, 0f, 0f, 0f, 1f];
        var m = ProbeMetrics.From(truth, predicted, 3, p);
        Assert.That(m.MicroAccuracy, Is.EqualTo(4 / 6.0).Within(1e-15));
        Assert.That(m.MacroAccuracy, Is.EqualTo((0.5 + 1 + 0.5) / 3).Within(1e-15));
        Assert.That(m.Precision, Is.EqualTo(new[] { 1.0, 2 / 4.0, 1.0 }).Within(1e-15));
        Assert.That(m.Recall, Is.EqualTo(new[] { 0.5, 1.0, 0.5 }).Within(1e-15));
        var expectedLoss = -(Math.Log(0.7f) + Math.Log(0.4f) + Math.Log(0.8f) + Math.Log(0.6f) + Math.Log(1e-15) + Math.Log(1f)) / 6;
        Assert.That(m.LogLoss, Is.EqualTo(expectedLoss).Within(1e-12));
        Assert.That(m.Confusion[0, 1], Is.EqualTo(1));
        Assert.That(m.Confusion[2, 1], Is.EqualTo(1));
        Assert.That(ProbeMetrics.From(truth, predicted, 3).LogLoss, Is.Null);
    }

    // ML.NET's evaluator on rows it scored itself (L-BFGS on overlapping Gaussian blobs, so some rows are wrong).
    [Test]
    public void Figures_equal_MLNets_Evaluate_on_a_trained_classifier([Values(LinearTrainer.Lbfgs, LinearTrainer.Sdca)] LinearTrainer trainer)
    {
        const int classes = 4;
        var ml = new MLContext(3);
        var rng = new Random(7);
        Row Make(int i)
        {
            var c = i % classes;
            return new Row { Features = Enumerable.Range(0, 5).Select(d => (float)((d == c ? 1.0 : 0.0) + (rng.NextDouble() * 1.6))).ToArray(), Label = $"c{c}" };
        }

        var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 200).Select(Make).ToArray());
        var test = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 120).Select(Make).ToArray());
        var head = MoCoProbe.Head(ml, "Features", "Label", trainer, 1e-4f).Fit(train);
        var scored = head.Transform(test);
        var expected = ml.MulticlassClassification.Evaluate(scored, MoCoProbe.LabelKey);

        var truth = scored.GetColumn<uint>(MoCoProbe.LabelKey).Select(k => (int)k - 1).ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
        var scores = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var actual = ProbeMetrics.From(truth, predicted, classes, scores);
        Assert.That(actual.MicroAccuracy, Is.EqualTo(expected.MicroAccuracy).Within(1e-12));
        Assert.That(actual.MicroAccuracy, Is.LessThan(1.0), "the case should have errors");
        Assert.That(actual.MacroAccuracy, Is.EqualTo(expected.MacroAccuracy).Within(1e-12));
        Assert.That(actual.LogLoss, Is.EqualTo(expected.LogLoss).Within(1e-6));
        Assert.That(actual.Precision, Is.EqualTo(expected.ConfusionMatrix.PerClassPrecision).Within(1e-12));
        Assert.That(actual.Recall, Is.EqualTo(expected.ConfusionMatrix.PerClassRecall).Within(1e-12));
    }

    private sealed class Row
    {
        [VectorType(5)]
        public float[] Features { get; set; } = [];

        public string Label { get; set; } = "";
    }
}
