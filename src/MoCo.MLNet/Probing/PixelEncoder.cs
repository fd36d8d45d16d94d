using MoCo.Onnx;
using MoCo.Onnx.Metadata;
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
        return g.ToBytes(new OnnxModelProperties
        {
            Description = "Raw pixels (the probe's baseline): the preprocessed image, flattened",
            Metadata = new EncoderMetadata(preprocessing.ToEncoderPreprocessing()) { Arch = "pixels", FeatureDimension = preprocessing.ValueCount }.ToDictionary(),
        });
    }
}
