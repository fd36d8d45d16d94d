using Microsoft.ML;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests.Compat;

// Files written by the moco before the encoder-metadata contract (test/Fixtures/before-23) keep loading: the same
// preprocessing read from their metadata, the same features from a saved probe zip (bit for bit) and from MoCoFeatures.
public class SavedBefore23Tests
{
    private TempDir _dir = null!;

    [OneTimeSetUp]
    public void SetUp() => _dir = new TempDir();

    [OneTimeTearDown]
    public void TearDown() => _dir.Dispose();

    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f], ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData("rgb32.onnx", 37, 32, 3, ImageNetMean, ImageNetStd).SetName("rgb32: the 256/224 resize, ImageNet statistics");
        yield return new TestCaseData("rgb32-uint8.onnx", 37, 32, 3, ImageNetMean, ImageNetStd).SetName("rgb32-uint8: normalisation inside the graph");
        yield return new TestCaseData("gray28.onnx", 28, 28, 1, new[] { 0.286f }, new[] { 0.353f }).SetName("gray28: small images, Fashion-MNIST statistics");
    }

    [TestCaseSource(nameof(Models))]
    public void A_model_exported_before_gives_the_same_preprocessing(string model, int resize, int crop, int channels, float[] mean, float[] std)
    {
        var path = Before23.File(model);
        var custom = MoCo.Onnx.Editing.OnnxModelFile.Read(path).Metadata;
        var read = MoCoPreprocessing.FromMetadata(custom, path)!;
        Assert.That((read.ResizeShorterSide, read.CropSize, read.Channels), Is.EqualTo((resize, crop, channels)));
        Assert.That(read.Mean, Is.EqualTo(mean));
        Assert.That(read.Std, Is.EqualTo(std));

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Before23.ImagePaths().Select(p => new PathRow { ImagePath = p }).ToArray());
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelPath = path }).Fit(data);
        Assert.That((fitted.Preprocessing.ResizeShorterSide, fitted.Preprocessing.CropSize, fitted.Preprocessing.Channels), Is.EqualTo((resize, crop, channels)));
        Assert.That(fitted.Preprocessing.Mean, Is.EqualTo(mean));
        Assert.That(fitted.Preprocessing.Std, Is.EqualTo(std));
    }

    [Test]
    public void A_probe_zip_saved_before_loads_in_a_new_process_and_gives_the_same_features_bit_for_bit()
    {
        var expected = Before23.RawFloats(Before23.File("probe/features.bin"), 64);
        var (features, _) = LoadCheckProcess.Run(Before23.File("probe/model.zip"), Before23.ImagePaths(), 64, _dir.Path, bytes: true);
        Assert.That(features, Has.Length.EqualTo(12));
        Assert.That(features, Is.EqualTo(expected));
    }

    [Test]
    public void MoCoFeatures_on_models_exported_before_gives_the_features_the_saved_zip_gave()
    {
        var expected = Before23.RawFloats(Before23.File("probe/features.bin"), 64);
        var rgb = Features(Before23.File("rgb32.onnx"));
        FeatureAssert.Close(expected, rgb, 1e-5);
        // The uint8 export is the same checkpoint with normalisation inside and L2-normalised outputs.
        var normalised = rgb.Select(r => { var n = Math.Sqrt(r.Sum(v => (double)v * v)); return r.Select(v => (float)(v / n)).ToArray(); }).ToArray();
        FeatureAssert.Close(normalised, Features(Before23.File("rgb32-uint8.onnx")), 1e-5);
    }

    private static float[][] Features(string model)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Before23.ImagePaths().Select(p => new PathRow { ImagePath = p }).ToArray());
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", OutputColumnName = "Features", ModelPath = model, BatchSize = 4 }).Fit(data);
        return MoCoFeaturesTests.ReadFeatures(fitted.Transform(data));
    }
}
