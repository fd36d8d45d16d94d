using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests;

// Wrong inputs fail with one clear message at Fit/GetOutputSchema, before any work; unreadable images fail naming the
// row and the file, or give NaN features that FilterRowsByMissingValues drops.
public class BadInputTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string _model = null!;
    private string[] _good = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36, seed: 13);
        _model = _dir.File("encoder.onnx");
        File.WriteAllBytes(_model, _rgb.OnnxBytes);
        _good = TestImages.Write(_dir.Path, 5, seed: 7);
        File.WriteAllBytes(_dir.File("truncated.jpg"), File.ReadAllBytes(Path.Combine(_dir.Path, TestImages.Write(_dir.Path, 1, seed: 8, jpeg: true)[0]))[..200]);
        File.WriteAllText(_dir.File("not-an-image.png"), "hello");
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    private IDataView Rows(MLContext ml, params string[] names) =>
        ml.Data.LoadFromEnumerable(names.Select(n => new PathRow { ImagePath = n }).ToArray());

    private static Exception? Catch(TestDelegate code) => Assert.Catch(code);

    [Test]
    public void Missing_model_fails_at_fit_naming_the_file()
    {
        var ml = new MLContext();
        var estimator = ml.Transforms.MoCoFeatures("Features", "ImagePath", _dir.File("nope.onnx"));
        var e = Catch(() => estimator.Fit(Rows(ml, _good)));
        Assert.That(e, Is.InstanceOf<FileNotFoundException>());
        Assert.That(e!.Message, Does.Contain("nope.onnx"));
        Assert.That(Catch(() => estimator.GetOutputSchema(Shapes.Of(Rows(ml, _good).Schema))), Is.InstanceOf<FileNotFoundException>());
    }

    [Test]
    public void Truncated_model_fails_at_fit_with_one_clear_message()
    {
        var ml = new MLContext();
        var truncated = _dir.File("truncated.onnx");
        File.WriteAllBytes(truncated, _rgb.OnnxBytes[..(_rgb.OnnxBytes.Length / 2)]);
        var e = Catch(() => ml.Transforms.MoCoFeatures("Features", "ImagePath", truncated).Fit(Rows(ml, _good)));
        Assert.That(e, Is.InstanceOf<InvalidDataException>());
        Assert.That(e!.Message, Does.Contain("truncated.onnx").And.Contain("not a valid ONNX file"));
    }

    [Test]
    public void Model_without_metadata_needs_explicit_preprocessing()
    {
        var ml = new MLContext();
        var bare = Onnx.Editing.OnnxModelFile.Parse(_rgb.OnnxBytes, "x").Proto.Clone();
        bare.MetadataProps.Clear();
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(bare);
        var e = Catch(() => ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = bytes }).Fit(Rows(ml, _good)));
        Assert.That(e!.Message, Does.Contain("MoCoFeaturesOptions.Preprocessing"));

        var explicitly = new MoCoPreprocessing(36, 32, 3, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        var data = Rows(ml, _good.Select(n => Path.Combine(_dir.Path, n)).ToArray());
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = bytes, Preprocessing = explicitly }).Fit(data);
        var features = ml.Data.CreateEnumerable<FeaturesRow>(fitted.Transform(data), false).Select(r => r.Features).ToArray();
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_good.Select(n => Path.Combine(_dir.Path, n)).ToArray()), features);
    }

    [Test]
    public void Metadata_whose_layout_contradicts_the_input_fails_at_fit()
    {
        var ml = new MLContext();
        var proto = Onnx.Editing.OnnxModelFile.Parse(_rgb.OnnxBytes, "x").Proto.Clone();
        proto.MetadataProps.Single(p => p.Key == "moco.layout").Value = "nhwc_uint8";
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        var e = Catch(() => ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = bytes }).Fit(Rows(ml, _good)));
        Assert.That(e!.Message, Does.Contain("moco.layout = nhwc_uint8").And.Contain("Float[N, 3, 32, 32]"));

        proto.MetadataProps.Single(p => p.Key == "moco.mean").Value = "0.5,0.5";
        bytes = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        e = Catch(() => ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelBytes = bytes }).Fit(Rows(ml, _good)));
        Assert.That(e, Is.InstanceOf<InvalidDataException>());
        Assert.That(e!.Message, Does.Contain("unreadable MoCo preprocessing metadata").And.Contain("one mean and one std per channel (3), got 2 and 3"));
    }

    [Test]
    public void Preprocessing_that_does_not_fit_the_model_fails_at_fit()
    {
        var ml = new MLContext();
        var wrong = new MoCoPreprocessing(256, 224, 3, [0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);
        var e = Catch(() => ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions { InputColumnName = "ImagePath", ModelPath = _model, Preprocessing = wrong }).Fit(Rows(ml, _good)));
        Assert.That(e!.Message, Does.Contain("crop 224").And.Contain("Float[N, 3, 224, 224]"));
    }

    [Test]
    public void Wrong_column_type_fails_at_fit_and_at_GetOutputSchema()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumberRow { Value = 1 } });
        var estimator = ml.Transforms.MoCoFeatures("Features", "Value", _model);
        var fit = Catch(() => estimator.Fit(data));
        Assert.That(fit!.Message, Does.Contain("column 'Value'").And.Contain("expected text"));
        Assert.That(Catch(() => estimator.GetOutputSchema(Shapes.Of(data.Schema)))!.Message, Does.Contain("column 'Value'"));
        Assert.That(Catch(() => ml.Transforms.MoCoFeatures("Features", "Missing", _model).Fit(data))!.Message, Does.Contain("no column 'Missing'"));
    }

    [Test]
    public void Preprocessed_vector_of_the_wrong_length_fails_at_fit()
    {
        var ml = new MLContext();
        var schema = SchemaDefinition.Create(typeof(PixelsRow));
        schema["Pixels"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 28 * 28);
        var data = ml.Data.LoadFromEnumerable(new[] { new PixelsRow { Pixels = new float[28 * 28] } }, schema);
        var e = Catch(() => ml.Transforms.MoCoFeatures("Features", "Pixels", _model).Fit(data));
        Assert.That(e!.Message, Does.Contain("3072 preprocessed values"));
    }

    [Test]
    public void Unreadable_image_throws_naming_the_row_and_the_file([Values("truncated.jpg", "not-an-image.png", "missing.png")] string bad)
    {
        var ml = new MLContext();
        var names = _good.Take(2).Append(bad).Concat(_good.Skip(2)).ToArray();
        var data = Rows(ml, names);
        using var fitted = ml.Transforms.MoCoFeatures("Features", "ImagePath", _model, _dir.Path).Fit(data);
        var e = Catch(() => ml.Data.CreateEnumerable<FeaturesRow>(fitted.Transform(data), false).ToArray());
        Assert.That(e, Is.InstanceOf<InvalidDataException>());
        Assert.That(e!.Message, Does.Contain("row 2").And.Contain(bad));
    }

    [Test]
    public void NaN_policy_gives_NaN_rows_that_FilterRowsByMissingValues_drops()
    {
        var ml = new MLContext();
        var names = _good.Take(2).Append("truncated.jpg").Append("missing.png").Concat(_good.Skip(2)).ToArray();
        var data = Rows(ml, names);
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions
        {
            InputColumnName = "ImagePath", ModelPath = _model, ImageFolder = _dir.Path, BadImages = MoCoBadImagePolicy.NaN, BatchSize = 3,
        }).Fit(data);
        var output = fitted.Transform(data);
        var all = ml.Data.CreateEnumerable<FeaturesRow>(output, false).Select(r => r.Features).ToArray();
        Assert.That(all.Select(f => f.All(float.IsNaN)), Is.EqualTo(new[] { false, false, true, true, false, false, false }));
        var kept = ml.Data.CreateEnumerable<FeaturesRow>(ml.Data.FilterRowsByMissingValues(output, "Features"), false).Select(r => r.Features).ToArray();
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_good.Select(n => Path.Combine(_dir.Path, n)).ToArray()), kept);
    }

    [Test]
    public void Saved_model_keeps_the_NaN_policy_and_the_image_folder()
    {
        var ml = new MLContext();
        var names = new[] { _good[0], "truncated.jpg", _good[1] };
        var data = Rows(ml, names);
        using var fitted = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions
        {
            InputColumnName = "ImagePath", ModelPath = _model, ImageFolder = _dir.Path, BadImages = MoCoBadImagePolicy.NaN,
        }).Fit(data);
        var zip = _dir.File("nan.zip");
        ml.Model.Save(fitted, data.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        var rows = new MLContext().Data.CreateEnumerable<FeaturesRow>(loaded.Transform(data), false).Select(r => r.Features).ToArray();
        Assert.That(rows[1].All(float.IsNaN), Is.True);
        FeatureAssert.Close(_rgb.FeaturesOfFiles([Path.Combine(_dir.Path, _good[0]), Path.Combine(_dir.Path, _good[1])]), [rows[0], rows[2]]);
    }

    private sealed class NumberRow
    {
        public float Value { get; set; }
    }

    private sealed class PixelsRow
    {
        public float[] Pixels { get; set; } = [];
    }
}
