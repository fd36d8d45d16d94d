using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests;

// The standard estimator checks (ML.NET's TestEstimatorCore): the schema propagates the same way through the
// estimator and the fitted transformer; the docs/mlnet.md pipeline trains, saves, reloads in a new process and
// predicts the same labels.
public class EstimatorTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string _model = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36, seed: 17);
        _model = _dir.File("encoder.onnx");
        File.WriteAllBytes(_model, _rgb.OnnxBytes);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    [Test]
    public void Estimator_and_transformer_give_the_same_output_schema()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new PathRow { ImagePath = "a.png", Label = "x" } });
        var estimator = ml.Transforms.MoCoFeatures("Features", "ImagePath", _model);
        var shape = estimator.GetOutputSchema(Shapes.Of(data.Schema));
        using var fitted = estimator.Fit(data);
        var schema = fitted.GetOutputSchema(data.Schema);

        var features = shape.Single(c => c.Name == "Features");
        Assert.That(features.Kind, Is.EqualTo(SchemaShape.Column.VectorKind.Vector));
        Assert.That(features.ItemType, Is.EqualTo(NumberDataViewType.Single));
        Assert.That(schema["Features"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 1, _rgb.FeatureDimension)));
        Assert.That(fitted.FeatureDimension, Is.EqualTo(_rgb.FeatureDimension));
        Assert.That(shape.Select(c => c.Name), Is.EquivalentTo(schema.Where(c => !c.IsHidden).Select(c => c.Name)));
        Assert.That(fitted.Preprocessing.CropSize, Is.EqualTo(32));
        Assert.That(fitted.Preprocessing.ResizeShorterSide, Is.EqualTo(36));
    }

    [Test]
    public void Documented_pipeline_trains_saves_and_predicts_the_same_in_a_new_process()
    {
        // Two visibly different classes (images of two seeds' colour fields): the classifier must separate them.
        var ml = new MLContext(seed: 0);
        var rows = new List<PathRow>();
        foreach (var (label, seed) in new[] { ("warm", 100), ("cold", 200) })
        {
            var folder = Directory.CreateDirectory(_dir.File(label)).FullName;
            rows.AddRange(TestImages.Write(folder, 12, seed, gray: label == "cold").Select(n => new PathRow { ImagePath = Path.Combine(folder, n), Label = label }));
        }

        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.MoCoFeatures("Features", "ImagePath", _model)
            .AppendCacheCheckpoint(ml)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        // Random-init encoder, 24 images: the point is the pipeline, not the accuracy; it still beats chance (0.5).
        Assert.That(metrics.MicroAccuracy, Is.GreaterThan(0.7));

        var zip = _dir.File("classifier.zip");
        ml.Model.Save(model, data.Schema, zip);
        var engine = ml.Model.CreatePredictionEngine<PathRow, PredictionRow>(model);
        var expected = rows.Select(r => engine.Predict(r).PredictedLabel).ToArray();
        Assert.That(expected.Zip(rows, (p, r) => p == r.Label).Count(b => b) / (double)rows.Count, Is.EqualTo(metrics.MicroAccuracy).Within(1e-9));

        var paths = rows.Select(r => r.ImagePath).ToArray();
        var (_, labels) = LoadCheckProcess.Run(zip, paths, _rgb.FeatureDimension, _dir.Path, batched: false, labels: true, column: "Features");
        Assert.That(labels, Is.EqualTo(expected));
        var (_, batchedLabels) = LoadCheckProcess.Run(zip, paths, _rgb.FeatureDimension, _dir.Path, batched: true, labels: true, column: "Features");
        Assert.That(batchedLabels, Is.EqualTo(expected));
    }

    private sealed class PredictionRow
    {
        public string PredictedLabel { get; set; } = "";
    }
}
