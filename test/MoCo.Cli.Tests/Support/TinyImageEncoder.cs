using MoCo.MLNet;
using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;

namespace MoCo.Cli.Tests.Support;

/// <summary>
/// A fixture encoder whose features are the image itself at 16 × 16 (the preprocessed pixels, flattened: the
/// "tiny image" descriptor of Torralba, Fergus and Freeman 2008, a classic near-duplicate baseline). Unlike a
/// random-weight ResNet, it keeps a 90% crop close to its original, so dedup's rule can be tested on all four kinds.
/// </summary>
internal static class TinyImageEncoder
{
    public static byte[] Create()
    {
        var preprocessing = new MoCoPreprocessing(16, 16, 3, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]);
        var g = new OnnxGraphBuilder("tiny_image");
        var x = g.Input("image", OnnxElementType.Float, -1, 3, 16, 16);
        g.Output(g.Flatten(x), "features", OnnxElementType.Float, -1, 768);
        return g.ToBytes(new OnnxModelProperties
        {
            Description = "16 x 16 pixels, flattened (test fixture)",
            Metadata = new EncoderMetadata(preprocessing.ToEncoderPreprocessing()) { Arch = "pixels", FeatureDimension = 768 }.ToDictionary(),
        });
    }
}
