using System.Globalization;
using MoCo.MLNet.Input;
using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// The ONNX graph MoCoFeatures runs: the user's encoder embedded unchanged, after the last preprocessing steps
/// (uint8 → float, ToTensor's /255, Normalize's −mean and /std, HWC → CHW: torchvision's float operations in its
/// order, so the values are bit-identical), with an "invalid" input added to the features (0, or NaN for an
/// unreadable image). The batch dimension is dynamic: the batched runtime and the saved ML.NET model (which feeds one
/// row at a time) run this same graph, so features agree before and after a save. The graph's metadata carries the
/// step's settings, from which <see cref="StepSettings"/> rebuilds the step after a load.
/// </summary>
internal static class EncoderGraphs
{
    /// <summary>Metadata key marking a graph written by MoCoFeatures (value: the graph format).</summary>
    public const string MarkerKey = "moco.mlnet.graph";

    /// <summary>The graph format written.</summary>
    public const string Format = "1";

    /// <summary>
    /// For images: inputs <see cref="Persistence.SavedColumns.Crop"/> uint8 [N, S·S·C] (HWC bytes of the centre crop)
    /// and <see cref="Persistence.SavedColumns.Invalid"/> float [N, 1]. For preprocessed floats: input
    /// <see cref="Persistence.SavedColumns.Image"/> float [N, C·S·S]. Output: the features column, float [N, D].
    /// </summary>
    public static byte[] Build(EncoderModel model, ImageColumnKind kind, StepSettings settings)
    {
        var p = model.Preprocessing;
        var g = new OnnxGraphBuilder("moco_features");
        string features;
        if (kind == ImageColumnKind.Preprocessed)
        {
            if (model.Uint8Input)
            {
                throw new ArgumentException("MoCoFeatures: this encoder takes uint8 pixels; give it images (path, MLImage or bytes), not preprocessed floats.");
            }

            var x = g.Input(Persistence.SavedColumns.Image, OnnxElementType.Float, -1, p.ValueCount);
            x = g.Node("Reshape", [x, g.InitializerInt64("moco_chw_shape", [-1, p.Channels, p.CropSize, p.CropSize], 4)])[0];
            features = Encoder(g, model, x);
        }
        else
        {
            // The crop's length is declared dynamic: ML.NET feeds a variable-length byte vector through its one unknown dimension.
            var x = g.Input(Persistence.SavedColumns.Crop, OnnxElementType.UInt8, -1, -1);
            var bad = g.Input(Persistence.SavedColumns.Invalid, OnnxElementType.Float, -1, 1);
            x = g.Node("Reshape", [x, g.InitializerInt64("moco_hwc_shape", [-1, p.CropSize, p.CropSize, p.Channels], 4)])[0];
            if (!model.Uint8Input)
            {
                // Transpose the bytes first and normalise planes: ORT broadcasts a [C] operand over NHWC floats C values
                // at a time, which made these four nodes cost a quarter of a ResNet-18's forward (bench/MoCo.MLNet.Bench);
                // over [C, 1, 1] each broadcast step is a whole S·S plane. Same float operations per value, same results.
                x = g.Transpose(x, 0, 3, 1, 2);
                var scale = g.Initializer("moco_255", [255f]);
                var mean = g.Initializer("moco_mean", p.Mean.ToArray(), p.Channels, 1, 1);
                var std = g.Initializer("moco_std", p.Std.ToArray(), p.Channels, 1, 1);
                x = g.Div(g.Sub(g.Div(g.Cast(x, OnnxElementType.Float), scale), mean), std);
            }

            features = g.Add(Encoder(g, model, x), bad);
        }

        g.Output(features, settings.OutputColumn, OnnxElementType.Float, -1, model.FeatureDimension);
        var metadata = new Dictionary<string, string>(model.File.Metadata, StringComparer.Ordinal) { [MarkerKey] = Format };
        foreach (var (key, value) in settings.ToMetadata(kind, p, model.FeatureDimension))
        {
            metadata[key] = value;
        }

        return g.ToBytes(new OnnxModelProperties { Metadata = metadata, Description = "MoCo.MLNet MoCoFeatures graph" });
    }

    private static string Encoder(OnnxGraphBuilder g, EncoderModel model, string x)
    {
        var features = g.Embed(model.File, x, "encoder/");
        return model.File.Outputs[0].Shape.Count > 2 ? g.Flatten(features) : features;
    }
}

/// <summary>What a MoCoFeatures step needs besides its graph; written into the graph's metadata.</summary>
internal sealed record StepSettings(string InputColumn, string OutputColumn, string? ImageFolder, MoCoBadImagePolicy BadImages, bool ScaledJpegDecode)
{
    private const string Prefix = "moco.mlnet.";

    public static StepSettings From(MoCoFeaturesOptions o) =>
        new(o.InputColumnName ?? o.OutputColumnName, o.OutputColumnName, o.ImageFolder, o.BadImages, o.ScaledJpegDecode);

    public IEnumerable<(string Key, string Value)> ToMetadata(ImageColumnKind kind, MoCoPreprocessing p, int dimension)
    {
        yield return (Prefix + "kind", kind.ToString());
        yield return (Prefix + "input_column", InputColumn);
        yield return (Prefix + "output_column", OutputColumn);
        yield return (Prefix + "image_folder", ImageFolder ?? "");
        yield return (Prefix + "bad_images", BadImages.ToString());
        yield return (Prefix + "scaled_jpeg_decode", ScaledJpegDecode ? "true" : "false");
        var preprocessing = new Dictionary<string, string>();
        p.ToEncoderPreprocessing().WriteTo(preprocessing, PreprocessingKeys.FeaturesStep);
        foreach (var (key, value) in preprocessing)
        {
            yield return (key, value);
        }

        yield return (Prefix + "feature_dim", dimension.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Reads back what <see cref="ToMetadata"/> wrote.</summary>
    public static (StepSettings Settings, ImageColumnKind Kind, MoCoPreprocessing Preprocessing, int Dimension) FromMetadata(IReadOnlyDictionary<string, string> m, string source)
    {
        try
        {
            string Get(string key) => m.TryGetValue(Prefix + key, out var v) ? v : throw new InvalidDataException($"{source} lacks {Prefix}{key}.");
            int Int(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);
            var settings = new StepSettings(Get("input_column"), Get("output_column"), Get("image_folder") is { Length: > 0 } f ? f : null,
                Enum.Parse<MoCoBadImagePolicy>(Get("bad_images")), Get("scaled_jpeg_decode") == "true");
            var pre = EncoderPreprocessing.FromMetadata(m, source, PreprocessingKeys.FeaturesStep) is { } read
                ? MoCoPreprocessing.From(read) : throw new InvalidDataException($"{source} lacks {PreprocessingKeys.FeaturesStep.Resize}.");
            return (settings, Enum.Parse<ImageColumnKind>(Get("kind")), pre, Int("feature_dim"));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{source}: unreadable MoCoFeatures settings: {e.Message}", e);
        }
    }
}
