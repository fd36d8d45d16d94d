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
    /// <summary>Shorter side the image is resized to before the centre crop of <see cref="InputSize"/> (default: InputSize·256/224 rounded, or InputSize for small images).</summary>
    public int? Resize { get; init; }
    /// <summary>Per-channel mean on the 0–1 scale.</summary>
    public double[] Mean { get; init; } = [0.485, 0.456, 0.406];
    /// <summary>Per-channel standard deviation on the 0–1 scale.</summary>
    public double[] Std { get; init; } = [0.229, 0.224, 0.225];
    /// <summary>"v1" or "v2" (metadata).</summary>
    public string Version { get; init; } = "v2";
    /// <summary>SHA-256 of the checkpoint the weights came from (metadata; empty when exported from memory).</summary>
    public string CheckpointSha256 { get; init; } = "";
    /// <summary>The training config as JSON (metadata).</summary>
    public string ConfigJson { get; init; } = "{}";
}
