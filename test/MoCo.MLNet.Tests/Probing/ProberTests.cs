using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Evaluation;
using MoCo.MLNet.Probing;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests.Probing;

// The probe on image files (three classes of generated PNG/JPEG images, a small reference encoder): its figures are
// ML.NET's Evaluate on the same predictions, its kNN is the managed kNN on the same features, and the saved model
// (image bytes in, label out) reloads in a new process and predicts what the probe predicted.
[NonParallelizable]
public class ProberTests
{
    private static readonly string[] Classes = ["ant", "bee", "cat"];
    private TempDir _dir = null!;
    private ReferenceEncoder _encoder = null!;
    private string[] _trainFiles = null!;
    private string[] _testFiles = null!;
    private ProbeResult _result = null!;
    private IDataView _test = null!;
    private MLContext _ml = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _encoder = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36, seed: 21);
        (string, string)[] Write(string split, int perClass, int seed) => Classes.SelectMany((c, i) =>
        {
            var folder = Path.Combine(_dir.Path, split, c);
            Directory.CreateDirectory(folder);
            return TestImages.Write(folder, perClass, seed + i, jpeg: i == 1).Select(n => (Path.Combine(folder, n), c));
        }).ToArray();
        var train = Write("train", 12, 100);
        var test = Write("test", 7, 200);
        _trainFiles = train.Select(t => t.Item1).ToArray();
        _testFiles = test.Select(t => t.Item1).ToArray();
        _ml = new MLContext(1);
        var trainView = _ml.Data.LoadFromEnumerable(train.Select(t => new ProbeRow { ImageSource = File.ReadAllBytes(t.Item1), Label = t.Item2 }).ToArray());
        _test = _ml.Data.LoadFromEnumerable(test.Select(t => new ProbeRow { ImageSource = File.ReadAllBytes(t.Item1), Label = t.Item2 }).ToArray());
        var settings = new ProbeSettings { Features = new MoCoFeaturesOptions { ModelBytes = _encoder.OnnxBytes, BatchSize = 8 }, Trainers = ProbeSettings.Auto, Knn = new KnnOptions { K = 5 } };
        _result = new Prober(settings).Run(trainView, _test, Classes);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _result.Dispose();
        _encoder.Dispose();
        _dir.Dispose();
    }

    [Test]
    public void Linear_figures_equal_MLNets_Evaluate_on_the_same_predictions()
    {
        var chain = (TransformerChain<ITransformer>)_result.Model!;
        var keyed = new TransformerChain<ITransformer>(chain.Take(2).ToArray()); // features, head: PredictedLabel still a key
        var expected = _ml.MulticlassClassification.Evaluate(keyed.Transform(_test), MoCoProbe.LabelKey);
        var actual = _result.Linear!;
        Assert.That(actual.Count, Is.EqualTo(_testFiles.Length));
        Assert.That(actual.MicroAccuracy, Is.EqualTo(expected.MicroAccuracy).Within(1e-12));
        Assert.That(actual.MacroAccuracy, Is.EqualTo(expected.MacroAccuracy).Within(1e-12));
        Assert.That(actual.LogLoss, Is.EqualTo(expected.LogLoss).Within(1e-6));
        Assert.That(actual.Precision, Is.EqualTo(expected.ConfusionMatrix.PerClassPrecision).Within(1e-12));
        Assert.That(actual.Recall, Is.EqualTo(expected.ConfusionMatrix.PerClassRecall).Within(1e-12));
        for (var t = 0; t < Classes.Length; t++)
        {
            for (var p = 0; p < Classes.Length; p++)
            {
                Assert.That(actual.Confusion[t, p], Is.EqualTo(expected.ConfusionMatrix.Counts[t][p]), $"[{t}, {p}]");
            }
        }

        Assert.That(_result.Validation!.Keys, Is.EquivalentTo(new[] { "sdca", "lbfgs" }));
        Assert.That(_result.LinearProtocol, Is.EqualTo($"linear:{_result.Trainer}:l2=0.0001"));
        Assert.That(ProbeReport.Table(_result, "encoder.onnx"), Does.Contain($"linear ({_result.LinearProtocol} (auto:").And.Contain("kNN (knn:cosine:k=5:t=0.1)"));
        var table = ProbeReport.Table(_result, "encoder.onnx");
        Assert.That(table, Does.Contain(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"micro accuracy {expected.MicroAccuracy * 100:F2}%")));
        Assert.That(table, Does.Contain(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"log-loss {expected.LogLoss:F4}")));
        var json = System.Text.Json.JsonDocument.Parse(ProbeReport.Json(_result, "encoder.onnx")).RootElement;
        Assert.That(json.GetProperty("linear_top1").GetDouble(), Is.EqualTo(expected.MicroAccuracy).Within(1e-12));
        Assert.That(json.GetProperty("knn_top1").GetDouble(), Is.EqualTo(_result.Knn.MicroAccuracy).Within(1e-12));
        Assert.That((json.GetProperty("linear_protocol").GetString(), json.GetProperty("knn_protocol").GetString()), Is.EqualTo((_result.LinearProtocol, _result.KnnProtocol)));
    }

    [Test]
    public void Knn_figures_are_the_managed_knn_on_the_encoders_features()
    {
        FeatureMatrix Features(IReadOnlyList<string> files) =>
            new(_encoder.FeaturesOfFiles(files).SelectMany(r => r).ToArray(), files.Count, _encoder.FeatureDimension);
        int[] Labels(IEnumerable<string> files) => files.Select(f => Array.IndexOf(Classes, Path.GetFileName(Path.GetDirectoryName(f)))).ToArray();
        var expected = Knn.Predict(Features(_testFiles).L2Normalised(), Features(_trainFiles).L2Normalised(), Labels(_trainFiles), Classes.Length, new KnnOptions { K = 5 });
        Assert.That(_result.KnnPredictions, Is.EqualTo(expected));
        Assert.That(_result.Knn.MicroAccuracy, Is.EqualTo(ProbeMetrics.From(Labels(_testFiles), expected, Classes.Length).MicroAccuracy));
        // ablate's kNN (MoCo.Training's FrozenEvaluation) gives the same top-1 on the same features.
        var ablate = MoCo.Training.Evaluation.FrozenEvaluation.KnnTop1(Features(_trainFiles), Labels(_trainFiles), Features(_testFiles), Labels(_testFiles),
            Classes.Length, new KnnOptions { K = 5 });
        Assert.That(ablate, Is.EqualTo(_result.Knn.MicroAccuracy));
        Assert.That(_result.KnnProtocol, Is.EqualTo("knn:cosine:k=5:t=0.1"));
    }

    [Test]
    public void Saved_model_reloads_in_a_new_process_and_predicts_the_same()
    {
        var outDir = Path.Combine(_dir.Path, "out");
        var written = ProbeOutputs.Write(_result, outDir, "encoder.onnx");
        Assert.That(written.Select(Path.GetFileName), Is.EquivalentTo(new[] { ProbeOutputs.ModelFile, ProbeOutputs.ConsumptionFile, ProbeOutputs.ConfusionFile }));
        var (features, labels) = LoadCheckProcess.Run(Path.Combine(outDir, ProbeOutputs.ModelFile), _testFiles, _encoder.FeatureDimension, _dir.Path, labels: true, bytes: true);
        Assert.That(labels, Is.EqualTo(_result.LinearPredictions!.Select(p => Classes[p])));
        FeatureAssert.Close(_encoder.FeaturesOfFiles(_testFiles), features);
        var code = File.ReadAllText(Path.Combine(outDir, ProbeOutputs.ConsumptionFile));
        Assert.That(code, Does.Contain("public class ModelInput").And.Contain("public class ModelOutput").And.Contain("Lazy<PredictionEngine<ModelInput, ModelOutput>>")
            .And.Contain("public static ModelOutput Predict(ModelInput input)"));
        var svg = System.Xml.Linq.XDocument.Load(Path.Combine(outDir, ProbeOutputs.ConfusionFile));
        Assert.That(svg.Root!.Name.LocalName, Is.EqualTo("svg"));
        Assert.That(svg.Descendants().Count(e => e.Name.LocalName == "rect"), Is.EqualTo(1 + (Classes.Length * Classes.Length)));
    }
}
