using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Tests.Support;

namespace MoCo.MLNet.Tests;

// Features from MoCoFeatures, for each input kind, against the reference: MoCo.Imaging's torchvision-exact eval
// transform and MoCo.Training's eval forward in libtorch (Support/ReferenceEncoder), tolerance 1e-4 of the scale.
public class MoCoFeaturesTests
{
    private TempDir _dir = null!;
    private ReferenceEncoder _rgb = null!;
    private string _model = null!;
    private string[] _png = null!;
    private string[] _jpeg = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _dir = new TempDir();
        _rgb = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36);
        _model = _dir.File("encoder.onnx");
        File.WriteAllBytes(_model, _rgb.OnnxBytes);
        _png = TestImages.Write(_dir.Path, 12, seed: 1);
        Directory.CreateDirectory(_dir.File("jpeg"));
        _jpeg = TestImages.Write(_dir.File("jpeg"), 9, seed: 2, jpeg: true).Select(n => Path.Combine("jpeg", n)).ToArray();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _rgb.Dispose();
        _dir.Dispose();
    }

    internal static float[][] ReadFeatures(IDataView data, string column = "Features")
    {
        using var cursor = data.GetRowCursor(data.Schema.Where(c => c.Name == column));
        var getter = cursor.GetGetter<VBuffer<float>>(data.Schema[column]);
        var rows = new List<float[]>();
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows.Add(value.DenseValues().ToArray());
        }

        return rows.ToArray();
    }

    private IDataView Paths(MLContext ml, IEnumerable<string> names) =>
        ml.Data.LoadFromEnumerable(names.Select(n => new PathRow { ImagePath = n, Label = n[..3] }).ToArray());

    [Test]
    public void Path_column_with_an_image_folder_matches_the_reference([Values(1, 5, 32)] int batchSize)
    {
        var ml = new MLContext(seed: 1);
        var names = _png.Concat(_jpeg).ToArray();
        var data = Paths(ml, names);
        using var transformer = ml.Transforms.MoCoFeatures(new MoCoFeaturesOptions
        {
            OutputColumnName = "Features", InputColumnName = "ImagePath", ModelPath = _model, ImageFolder = _dir.Path, BatchSize = batchSize, DecodeThreads = 2,
        }).Fit(data);

        var output = transformer.Transform(data);
        Assert.That(output.Schema["Features"].Type, Is.EqualTo(new VectorDataViewType(NumberDataViewType.Single, 1, _rgb.FeatureDimension)));
        FeatureAssert.Close(_rgb.FeaturesOfFiles(names.Select(n => Path.Combine(_dir.Path, n)).ToArray()), ReadFeatures(output));
    }

    [Test]
    public void Encoded_bytes_from_LoadRawImageBytes_match_the_reference()
    {
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, _jpeg.Concat(_png));
        var pipeline = ml.Transforms.LoadRawImageBytes("Bytes", _dir.Path, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures("Features", "Bytes", _model));
        var output = pipeline.Fit(data).Transform(data);
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_jpeg.Concat(_png).Select(n => Path.Combine(_dir.Path, n)).ToArray()), ReadFeatures(output));
    }

    [Test]
    public void MLImage_from_LoadImages_matches_the_reference_on_lossless_files()
    {
        // PNG: SkiaSharp (behind MLImage) and our decoder give the same pixels; JPEG decoders may differ in rounding.
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, _png);
        var pipeline = ml.Transforms.LoadImages("Image", _dir.Path, "ImagePath")
            .Append(ml.Transforms.MoCoFeatures("Features", "Image", _model));
        var output = pipeline.Fit(data).Transform(data);
        FeatureAssert.Close(_rgb.FeaturesOfFiles(_png.Select(n => Path.Combine(_dir.Path, n)).ToArray()), ReadFeatures(output));
    }

    [Test]
    public void Preprocessed_float_vectors_match_the_reference()
    {
        var ml = new MLContext(seed: 1);
        var files = _png.Select(n => Path.Combine(_dir.Path, n)).ToArray();
        var n = 3 * 32 * 32;
        var schema = SchemaDefinition.Create(typeof(PixelsRow));
        schema["Pixels"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, n);
        var data = ml.Data.LoadFromEnumerable(files.Select(f => new PixelsRow { Pixels = _rgb.Preprocess(f) }).ToArray(), schema);
        var output = ml.Transforms.MoCoFeatures("Features", "Pixels", _model).Fit(data).Transform(data);
        FeatureAssert.Close(_rgb.FeaturesOfFiles(files), ReadFeatures(output));
    }

    [Test]
    public void Gray_encoder_reads_colour_files_as_PIL_luminance()
    {
        using var gray = new ReferenceEncoder(channels: 1, inputSize: 28, resize: 28, seed: 9);
        var model = _dir.File("gray.onnx");
        File.WriteAllBytes(model, gray.OnnxBytes);
        var ml = new MLContext(seed: 1);
        var names = _png.Concat(_jpeg).ToArray();
        var data = Paths(ml, names);
        var output = ml.Transforms.MoCoFeatures("Features", "ImagePath", model, _dir.Path).Fit(data).Transform(data);
        FeatureAssert.Close(gray.FeaturesOfFiles(names.Select(n => Path.Combine(_dir.Path, n)).ToArray()), ReadFeatures(output));
    }

    [Test]
    public void Uint8_input_export_gives_the_same_features()
    {
        using var u8 = new ReferenceEncoder(channels: 3, inputSize: 32, resize: 36, uint8Input: true);
        var model = _dir.File("u8.onnx");
        File.WriteAllBytes(model, u8.OnnxBytes);
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, _png);
        var output = ml.Transforms.MoCoFeatures("Features", "ImagePath", model, _dir.Path).Fit(data).Transform(data);
        FeatureAssert.Close(u8.FeaturesOfFiles(_png.Select(n => Path.Combine(_dir.Path, n)).ToArray()), ReadFeatures(output));
    }

    [Test]
    public void Input_columns_pass_through_next_to_the_features()
    {
        var ml = new MLContext(seed: 1);
        var data = Paths(ml, _png);
        var output = ml.Transforms.MoCoFeatures("Features", "ImagePath", _model, _dir.Path).Fit(data).Transform(data);
        var rows = ml.Data.CreateEnumerable<PathFeaturesRow>(output, reuseRowObject: false).ToArray();
        Assert.That(rows.Select(r => r.ImagePath), Is.EqualTo(_png));
        Assert.That(rows.Select(r => r.Label), Is.EqualTo(_png.Select(n => n[..3])));
        Assert.That(rows.All(r => r.Features.Length == _rgb.FeatureDimension));
    }

    private sealed class PixelsRow
    {
        public float[] Pixels { get; set; } = [];
    }

    private sealed class PathFeaturesRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";

        public float[] Features { get; set; } = [];
    }
}
