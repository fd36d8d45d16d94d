using System.Globalization;
using MoCo.Onnx;
using MoCo.Onnx.Writer;

namespace MoCo.MLNet.Probing;

/// <summary>
/// The raw-pixel baseline as an encoder: an ONNX graph that flattens the preprocessed image (C·S·S normalised values),
/// with the preprocessing in its <c>moco.*</c> metadata, so pixels go through the same MoCoFeatures, probe and saved
/// model as a trained encoder.
/// </summary>
internal static class PixelEncoder
{
    /// <summary>The graph's bytes: input "image" Float[N, C, S, S], output "features" Float[N, C·S·S].</summary>
    public static byte[] Create(MoCoPreprocessing preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        preprocessing.Validate();
        int c = preprocessing.Channels, s = preprocessing.CropSize;
        var g = new OnnxGraphBuilder("moco_pixels");
        var x = g.Input("image", OnnxElementType.Float, -1, c, s, s);
        g.Output(g.Flatten(x), "features", OnnxElementType.Float, -1, preprocessing.ValueCount);
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        return g.ToBytes(new OnnxModelProperties
        {
            Description = "Raw pixels (the probe's baseline): the preprocessed image, flattened",
            Metadata = new Dictionary<string, string>
            {
                ["moco.arch"] = "pixels",
                ["moco.input_size"] = s.ToString(CultureInfo.InvariantCulture),
                ["moco.input_channels"] = c.ToString(CultureInfo.InvariantCulture),
                ["moco.resize"] = preprocessing.ResizeShorterSide.ToString(CultureInfo.InvariantCulture),
                ["moco.layout"] = "nchw_float",
                ["moco.mean"] = string.Join(",", preprocessing.Mean.Select(F)),
                ["moco.std"] = string.Join(",", preprocessing.Std.Select(F)),
                ["moco.feature_dim"] = preprocessing.ValueCount.ToString(CultureInfo.InvariantCulture),
            },
        });
    }
}
