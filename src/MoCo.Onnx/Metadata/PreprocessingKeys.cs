namespace MoCo.Onnx.Metadata;

/// <summary>
/// Where a preprocessing is kept in a metadata_props map: the key of each field. Two sets exist and both stay
/// readable: <see cref="Encoder"/> (<c>moco.*</c>, what <c>moco export</c> writes) and <see cref="FeaturesStep"/>
/// (<c>moco.mlnet.*</c>, what a fitted MoCoFeatures step writes into its graph, the preprocessing it applies).
/// </summary>
/// <param name="Resize">Key of the shorter side after the resize.</param>
/// <param name="CropSize">Key of the centre crop's side.</param>
/// <param name="Channels">Key of the channel count.</param>
/// <param name="Mean">Key of the per-channel means.</param>
/// <param name="Std">Key of the per-channel standard deviations.</param>
/// <param name="Layout">Key of the input layout, or null where the set has none.</param>
public sealed record PreprocessingKeys(string Resize, string CropSize, string Channels, string Mean, string Std, string? Layout)
{
    /// <summary>The <c>moco.*</c> keys of an exported encoder.</summary>
    public static PreprocessingKeys Encoder { get; } = new(EncoderMetadataKeys.Resize, EncoderMetadataKeys.InputSize, EncoderMetadataKeys.InputChannels,
        EncoderMetadataKeys.Mean, EncoderMetadataKeys.Std, EncoderMetadataKeys.Layout);

    /// <summary>The <c>moco.mlnet.*</c> keys of a fitted MoCoFeatures step's graph (no layout: the step feeds what the encoder takes).</summary>
    public static PreprocessingKeys FeaturesStep { get; } = new("moco.mlnet.resize", "moco.mlnet.crop", "moco.mlnet.channels", "moco.mlnet.mean", "moco.mlnet.std", null);

    /// <summary>The keys that must be present together.</summary>
    public IReadOnlyList<string> Required => [Resize, CropSize, Channels, Mean, Std];
}
