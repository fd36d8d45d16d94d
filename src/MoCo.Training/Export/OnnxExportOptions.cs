using MoCo.Imaging.Transforms;
using MoCo.Onnx.Metadata;

namespace MoCo.Training.Export;

/// <summary>What an exported encoder computes and how a consumer must feed it (written into its metadata).</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Include the projection head (default false: the backbone's pooled features, what downstream tasks use).</summary>
    public bool WithHead { get; init; }
    /// <summary>Take raw uint8 NHWC pixels and normalise inside the graph (default false: float NCHW, already normalised).</summary>
    public bool Uint8Input { get; init; }
    /// <summary>Fold each BatchNorm into the convolution before it (default false: BatchNormalization nodes).</summary>
    public bool FoldBatchNorm { get; init; }
    /// <summary>L2-normalise the output rows (default false).</summary>
    public bool Normalize { get; init; }
    /// <summary>Square input side, e.g. 224 or 28. Required.</summary>
    public int InputSize { get; init; }
    /// <summary>Shorter side the image is resized to before the centre crop of <see cref="InputSize"/> (default:
    /// <see cref="EvalTransform.ResizeFor"/>, InputSize·256/224 rounded, or InputSize for small images).</summary>
    public int? Resize { get; init; }
    /// <summary>Per-channel mean on the 0–1 scale; default <see cref="ImageNetStatistics.Mean"/>.</summary>
    public double[] Mean { get; init; } = [.. ImageNetStatistics.Mean];
    /// <summary>Per-channel standard deviation on the 0–1 scale; default <see cref="ImageNetStatistics.Std"/>.</summary>
    public double[] Std { get; init; } = [.. ImageNetStatistics.Std];
    /// <summary>"v1" or "v2" (metadata).</summary>
    public string Version { get; init; } = "v2";
    /// <summary>SHA-256 of the checkpoint the weights came from (metadata; empty when exported from memory).</summary>
    public string CheckpointSha256 { get; init; } = "";
    /// <summary>The training config as JSON (metadata).</summary>
    public string ConfigJson { get; init; } = "{}";

    /// <summary>The preprocessing these options describe for an encoder of <paramref name="channels"/> input channels
    /// (mean and std as float32, the values the graph and its consumers apply).</summary>
    /// <param name="channels">The encoder's input channels.</param>
    /// <param name="smallImages">The encoder has the small-image stem: images are used at their size, not resized by 256/224.</param>
    internal EncoderPreprocessing Preprocessing(int channels, bool smallImages) =>
        new(Resize ?? (smallImages ? InputSize : EvalTransform.ResizeFor(InputSize)), InputSize, channels,
            Mean.Select(v => (float)v).ToArray(), Std.Select(v => (float)v).ToArray())
        {
            Layout = Uint8Input ? EncoderInputLayout.NhwcUInt8 : EncoderInputLayout.NchwFloat,
        };
}
