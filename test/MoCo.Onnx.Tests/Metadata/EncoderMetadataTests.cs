using MoCo.Onnx.Editing;
using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Tests.Metadata;

// The encoder-metadata contract: what is written reads back equal, through a real ONNX file and ONNX Runtime; the key
// names and value texts are the ones `moco export` wrote before (test/Fixtures/before-23), and every bad value is
// refused with a message naming the model and the key.
public class EncoderMetadataTests
{
    private static readonly EncoderPreprocessing Rgb = new(37, 32, 3, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    private static EncoderMetadata Full(EncoderPreprocessing p) => new(p)
    {
        Version = "v2", Arch = "resnet50", Width = 2, FeatureDimension = 64, L2Normalized = false, WithHead = false, BatchNormFolded = true,
        CheckpointSha256 = new string('a', 64), ConfigJson = "{\"Preset\":\"v2\"}",
    };

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "before-23", name);

    /// <summary>A one-node model (Identity) carrying <paramref name="metadata"/>, written and read back by ONNX Runtime.</summary>
    private static IReadOnlyDictionary<string, string> ThroughOnnxRuntime(IReadOnlyDictionary<string, string> metadata)
    {
        var g = new OnnxGraphBuilder("metadata");
        var x = g.Input("image", OnnxElementType.Float, -1, 3, 32, 32);
        g.Output(g.Node("Identity", [x])[0], "features", OnnxElementType.Float, -1, 3, 32, 32);
        using var session = OnnxSession.Open(g.ToBytes(new OnnxModelProperties { Metadata = metadata }));
        return session.Metadata.Custom;
    }

    [Test]
    public void Written_metadata_reads_back_equal_through_an_onnx_file([Values] EncoderInputLayout layout)
    {
        var written = Full(Rgb with { Layout = layout });
        var read = EncoderMetadata.Read(ThroughOnnxRuntime(written.ToDictionary()), "test.onnx");
        Assert.That(read, Is.EqualTo(written));
        Assert.That(read!.Preprocessing.Mean, Is.EqualTo(Rgb.Mean));
    }

    [Test]
    public void Unset_fields_are_not_written_and_read_back_null()
    {
        var written = new EncoderMetadata(Rgb) { Arch = "pixels", FeatureDimension = 3 * 32 * 32 };
        var keys = written.ToDictionary().Keys;
        Assert.That(keys, Is.EquivalentTo(new[] { "moco.resize", "moco.input_size", "moco.input_channels", "moco.mean", "moco.std", "moco.layout", "moco.arch", "moco.feature_dim" }));
        Assert.That(EncoderMetadata.Read(written.ToDictionary(), "m"), Is.EqualTo(written));
    }

    [Test]
    public void The_keys_and_texts_are_those_moco_export_wrote_before()
    {
        // rgb32.onnx, as `moco export` wrote it before the contract: every key it has is one the contract writes, with the same text.
        var old = OnnxModelFile.Read(Fixture("rgb32.onnx")).Metadata;
        var read = EncoderMetadata.Read(old, "rgb32.onnx")!;
        Assert.That(read.ToDictionary(), Is.EquivalentTo(old));
        Assert.That(read.Preprocessing, Is.EqualTo(Rgb));
        Assert.That((read.Version, read.Arch, read.Width, read.FeatureDimension), Is.EqualTo(("v2", "resnet50", 2, 64)));
        Assert.That((read.L2Normalized, read.WithHead, read.BatchNormFolded), Is.EqualTo((false, false, false)));
        Assert.That(read.ConfigJson, Does.StartWith("{\"Preset\":\"v2\""));
        Assert.That(EncoderMetadataKeys.Prefix + "input_size", Is.EqualTo(EncoderMetadataKeys.InputSize));
    }

    [TestCase("rgb32-uint8.onnx", 37, 32, 3, EncoderInputLayout.NhwcUInt8, true)]
    [TestCase("gray28.onnx", 28, 28, 1, EncoderInputLayout.NchwFloat, false)]
    public void Other_models_exported_before_read_as_they_were_written(string model, int resize, int crop, int channels, EncoderInputLayout layout, bool normalized)
    {
        var old = OnnxModelFile.Read(Fixture(model)).Metadata;
        var read = EncoderMetadata.Read(old, model)!;
        Assert.That((read.Preprocessing.ResizeShorterSide, read.Preprocessing.CropSize, read.Preprocessing.Channels, read.Preprocessing.Layout), Is.EqualTo((resize, crop, channels, layout)));
        Assert.That(read.L2Normalized, Is.EqualTo(normalized));
        Assert.That(read.ToDictionary(), Is.EquivalentTo(old));
    }

    [Test]
    public void Values_are_written_as_invariant_round_trip_text()
    {
        var m = Full(new EncoderPreprocessing(28, 28, 1, [0.2860406f], [1f / 3])).ToDictionary();
        Assert.That(m["moco.mean"], Is.EqualTo("0.2860406"));
        Assert.That(float.Parse(m["moco.std"], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(1f / 3));
        Assert.That((m["moco.resize"], m["moco.input_size"], m["moco.input_channels"], m["moco.layout"]), Is.EqualTo(("28", "28", "1", "nchw_float")));
        Assert.That((m["moco.normalized"], m["moco.bn_folded"], m["moco.width"]), Is.EqualTo(("false", "true", "2")));
    }

    [Test]
    public void Metadata_without_the_preprocessing_keys_reads_as_none()
    {
        Assert.That(EncoderMetadata.Read(new Dictionary<string, string> { ["moco.arch"] = "resnet50", ["other"] = "x" }, "m"), Is.Null);
        Assert.That(EncoderPreprocessing.FromMetadata(new Dictionary<string, string>(), "m"), Is.Null);
    }

    [TestCase("moco.std", null, "missing moco.std")]
    [TestCase("moco.resize", "3.5", "moco.resize = '3.5' is not an integer")]
    [TestCase("moco.mean", "0.4,x,0.4", "'x' is not a number")]
    [TestCase("moco.mean", "0.4,0.4", "one mean and one std per channel (3), got 2 and 3")]
    [TestCase("moco.std", "0.2,0,0.2", "std values must be positive")]
    [TestCase("moco.resize", "16", "0 < CropSize <= ResizeShorterSide, got crop 32, resize 16")]
    [TestCase("moco.input_channels", "2", "1 or 3 channels, got 2")]
    [TestCase("moco.layout", "nhwc_float", "moco.layout = 'nhwc_float' is neither nchw_float nor nhwc_uint8")]
    [TestCase("moco.width", "wide", "moco.width = 'wide' is not an integer")]
    [TestCase("moco.normalized", "yes", "moco.normalized = 'yes' is neither true nor false")]
    public void A_bad_value_is_refused_naming_the_model_and_the_key(string key, string? value, string message)
    {
        var m = Full(Rgb).ToDictionary();
        if (value is null) m.Remove(key);
        else m[key] = value;
        var e = Assert.Throws<InvalidDataException>(() => EncoderMetadata.Read(m, "/models/bad.onnx"))!;
        Assert.That(e.Message, Does.Contain("/models/bad.onnx").And.Contain(message));
    }

    [Test]
    public void Invalid_preprocessing_is_not_written()
    {
        Assert.Throws<ArgumentException>(() => new EncoderMetadata(Rgb with { Std = [0.2f, 0.2f] }).ToDictionary());
        Assert.Throws<ArgumentException>(() => (Rgb with { CropSize = 0 }).Validate());
    }

    [Test]
    public void The_features_step_keys_round_trip_and_read_what_moco_mlnet_wrote_before()
    {
        var m = new Dictionary<string, string>();
        Rgb.WriteTo(m, PreprocessingKeys.FeaturesStep);
        Assert.That(m, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["moco.mlnet.resize"] = "37", ["moco.mlnet.crop"] = "32", ["moco.mlnet.channels"] = "3",
            ["moco.mlnet.mean"] = "0.485,0.456,0.406", ["moco.mlnet.std"] = "0.229,0.224,0.225",
        }));
        Assert.That(EncoderPreprocessing.FromMetadata(m, "step", PreprocessingKeys.FeaturesStep), Is.EqualTo(Rgb));
        Assert.That(EncoderPreprocessing.FromMetadata(m, "step"), Is.Null, "the step's keys are not an export's");
    }

    [Test]
    public void Describe_is_the_line_stores_keep()
    {
        // The form feature stores wrote before (test/Fixtures/before-23/store/manifest.db, setting 'preprocessing').
        Assert.That(Rgb.Describe(), Is.EqualTo("resize 37, crop 32, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"));
        Assert.That((Rgb with { Layout = EncoderInputLayout.NhwcUInt8 }).Describe(), Is.EqualTo(Rgb.Describe()));
    }

    [Test]
    public void Equality_compares_the_channel_values()
    {
        var copy = new EncoderPreprocessing(37, 32, 3, new List<float> { 0.485f, 0.456f, 0.406f }, [0.229f, 0.224f, 0.225f]);
        Assert.That(copy, Is.EqualTo(Rgb));
        Assert.That(copy.GetHashCode(), Is.EqualTo(Rgb.GetHashCode()));
        Assert.That(copy with { Mean = [0.485f, 0.456f, 0.407f] }, Is.Not.EqualTo(Rgb));
        Assert.That(copy with { Layout = EncoderInputLayout.NhwcUInt8 }, Is.Not.EqualTo(Rgb));
    }
}
