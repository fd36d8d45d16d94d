using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests;

// Save, then load in a new process with only ML.NET and MoCo.MLNet: the same features (<= 1e-4 of the reference),
// per row through a PredictionEngine and batched after MoCoModel.RestoreBatching; no side files.
public class PersistenceTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string[] _files = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36, seed: 11);
        _files = TestImages.Write(_dir.Path, 6, seed: 3).Concat(TestImages.Write(_dir.Path, 0, seed: 4)).Select(n => Path.Combine(_dir.Path, n)).ToArray();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    private IEstimator<ITransformer> Pipeline(MLContext ml, string kind) => kind switch
    {
        "path" => ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = _rgb.OnnxBytes }),
        "bytes" => ml.Transforms.LoadRawImageBytes("Bytes", null, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "Bytes", ModelBytes = _rgb.OnnxBytes })),
        "mlimage" => ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "Image", ModelBytes = _rgb.OnnxBytes })),
        _ => throw new ArgumentException(kind),
    };

    [Test]
    public void Saved_model_loads_in_a_new_process_and_gives_the_same_features([Values("path", "bytes", "mlimage")] string kind, [Values] bool batched)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_files.Select(f => new PathRow { ImagePath = f }).ToArray());
        var model = Pipeline(ml, kind).Fit(data);
        var zip = _dir.File($"model-{kind}-{batched}.zip");
        ml.Model.Save(model, data.Schema, zip);
        (model as IDisposable)?.Dispose();

        var (features, _) = LoadCheckProcess.Run(zip, _files, _rgb.FeatureDimension, _dir.Path, batched);
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_files), features);
    }

    [Test]
    public void PredictionEngine_on_the_fitted_transformer_gives_the_reference_features()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_files.Select(f => new PathRow { ImagePath = f }).ToArray());
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = _rgb.OnnxBytes }).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<PathRow, FeaturesRow>(fitted);
        var actual = _files.Select(f => engine.Predict(new PathRow { ImagePath = f }).Features).ToArray();
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_files), actual);
    }

    [Test]
    public void Restored_batching_replaces_the_saved_step_and_matches_the_loaded_model()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_files.Select(f => new PathRow { ImagePath = f }).ToArray());
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = _rgb.OnnxBytes }).Fit(data);
        var zip = _dir.File("restore.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var loaded = ml.Model.Load(zip, out var schema);
        var restored = MoCoModel.RestoreBatching(loaded, schema);
        Assert.That(Flatten(restored).OfType<MoCoFeaturesTransformer>().Count(), Is.EqualTo(1));
        Assert.That(Flatten(loaded).OfType<MoCoFeaturesTransformer>(), Is.Empty);
        var fast = ml.Data.CreateEnumerable<FeaturesRow>(restored.Transform(data), reuseRowObject: false).Select(r => r.Features).ToArray();
        var slow = ml.Data.CreateEnumerable<FeaturesRow>(loaded.Transform(data), reuseRowObject: false).Select(r => r.Features).ToArray();
        FeatureAssert.Close(slow, fast, tolerance: 0);
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_files), fast);
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer t) =>
        t is TransformerChain<ITransformer> chain ? chain.SelectMany(Flatten) : [t];
}
