namespace MoCo.Onnx.Metadata;

/// <summary>
/// The metadata_props keys of an encoder written by <c>moco export</c> (and read by MoCoFeatures, <c>moco probe</c>,
/// <c>moco extract</c> and <c>moco info</c>). The preprocessing keys are required together; the others describe the
/// model and are optional to a reader. Values are invariant-culture text: integers, <c>true</c>/<c>false</c>, and
/// comma-separated round-trip floats for per-channel lists.
/// </summary>
public static class EncoderMetadataKeys
{
    /// <summary>Prefix of every key.</summary>
    public const string Prefix = "moco.";

    /// <summary>Shorter side of the bilinear resize before the centre crop (integer).</summary>
    public const string Resize = Prefix + "resize";

    /// <summary>Side of the square centre crop the model takes (integer).</summary>
    public const string InputSize = Prefix + "input_size";

    /// <summary>Input channels: 1 (gray) or 3 (RGB).</summary>
    public const string InputChannels = Prefix + "input_channels";

    /// <summary>Per-channel mean on the 0–1 scale (comma-separated floats).</summary>
    public const string Mean = Prefix + "mean";

    /// <summary>Per-channel standard deviation on the 0–1 scale (comma-separated floats).</summary>
    public const string Std = Prefix + "std";

    /// <summary>Input layout: <see cref="LayoutNchwFloat"/> or <see cref="LayoutNhwcUInt8"/> (optional to a reader: the graph's input says it too).</summary>
    public const string Layout = Prefix + "layout";

    /// <summary><see cref="Layout"/> value: float [N, C, S, S], normalised by the caller.</summary>
    public const string LayoutNchwFloat = "nchw_float";

    /// <summary><see cref="Layout"/> value: uint8 [N, S, S, C] pixels, normalised inside the graph.</summary>
    public const string LayoutNhwcUInt8 = "nhwc_uint8";

    /// <summary>The MoCo preset the encoder was trained with, "v1" or "v2".</summary>
    public const string Version = Prefix + "version";

    /// <summary>Architecture, e.g. "resnet50" ("pixels" for the probe's raw-pixel baseline).</summary>
    public const string Arch = Prefix + "arch";

    /// <summary>Base width of the ResNet (torchvision: 64).</summary>
    public const string Width = Prefix + "width";

    /// <summary>Feature dimension D of the output [N, D].</summary>
    public const string FeatureDim = Prefix + "feature_dim";

    /// <summary>Whether the output rows are L2-normalised.</summary>
    public const string Normalized = Prefix + "normalized";

    /// <summary>Whether the projection head is included.</summary>
    public const string WithHead = Prefix + "with_head";

    /// <summary>Whether BatchNorm was folded into the convolutions.</summary>
    public const string BnFolded = Prefix + "bn_folded";

    /// <summary>SHA-256 (lower-case hex) of the checkpoint the weights came from; empty when exported from memory.</summary>
    public const string CheckpointSha256 = Prefix + "checkpoint_sha256";

    /// <summary>A classifier's class names by output index, as a JSON array of strings (e.g. <c>["cat","dog"]</c>):
    /// written by <c>moco finetune</c>'s ONNX classifier, whose outputs are <c>logits</c> and <c>probabilities</c>.</summary>
    public const string ClassNames = Prefix + "class_names";

    /// <summary>The training config as JSON.</summary>
    public const string Config = Prefix + "config";
}
