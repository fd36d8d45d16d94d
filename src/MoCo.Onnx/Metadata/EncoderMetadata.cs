namespace MoCo.Onnx.Metadata;

/// <summary>
/// Everything an exported encoder says about itself in its metadata_props (<see cref="EncoderMetadataKeys"/>): the
/// preprocessing a consumer must apply, and what the model is. Written by <c>moco export</c> and the probe's pixel
/// baseline, read by <c>moco info</c>. Fields left null are neither written nor, when absent, an error to read.
/// </summary>
/// <example><code>
/// var metadata = new EncoderMetadata(new EncoderPreprocessing(256, 224, 3, mean, std)) { Arch = "resnet50", FeatureDimension = 2048 };
/// var properties = new OnnxModelProperties { Metadata = metadata.ToDictionary() };
/// EncoderMetadata? back = EncoderMetadata.Read(properties.Metadata, "encoder.onnx");
/// </code></example>
/// <param name="Preprocessing">The preprocessing (required: its keys are what makes metadata MoCo metadata).</param>
public sealed record EncoderMetadata(EncoderPreprocessing Preprocessing)
{
    /// <summary>The MoCo preset, "v1" or "v2" (<see cref="EncoderMetadataKeys.Version"/>).</summary>
    public string? Version { get; init; }

    /// <summary>The architecture, e.g. "resnet50" (<see cref="EncoderMetadataKeys.Arch"/>).</summary>
    public string? Arch { get; init; }

    /// <summary>The ResNet's base width (<see cref="EncoderMetadataKeys.Width"/>).</summary>
    public int? Width { get; init; }

    /// <summary>The output's feature dimension D (<see cref="EncoderMetadataKeys.FeatureDim"/>).</summary>
    public int? FeatureDimension { get; init; }

    /// <summary>Whether output rows are L2-normalised (<see cref="EncoderMetadataKeys.Normalized"/>).</summary>
    public bool? L2Normalized { get; init; }

    /// <summary>Whether the projection head is included (<see cref="EncoderMetadataKeys.WithHead"/>).</summary>
    public bool? WithHead { get; init; }

    /// <summary>Whether BatchNorm is folded into the convolutions (<see cref="EncoderMetadataKeys.BnFolded"/>).</summary>
    public bool? BatchNormFolded { get; init; }

    /// <summary>SHA-256 of the source checkpoint, "" when exported from memory (<see cref="EncoderMetadataKeys.CheckpointSha256"/>).</summary>
    public string? CheckpointSha256 { get; init; }

    /// <summary>The training config as JSON (<see cref="EncoderMetadataKeys.Config"/>).</summary>
    public string? ConfigJson { get; init; }

    /// <summary>A classifier's class names by output index (<see cref="EncoderMetadataKeys.ClassNames"/>); null for an encoder.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The metadata_props to write (the preprocessing validated first).</summary>
    public Dictionary<string, string> ToDictionary()
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        Preprocessing.WriteTo(m);
        void Put(string key, string? value)
        {
            if (value is not null) m[key] = value;
        }

        Put(EncoderMetadataKeys.Version, Version);
        Put(EncoderMetadataKeys.Arch, Arch);
        Put(EncoderMetadataKeys.Width, Width is { } w ? MetadataText.Int(w) : null);
        Put(EncoderMetadataKeys.FeatureDim, FeatureDimension is { } d ? MetadataText.Int(d) : null);
        Put(EncoderMetadataKeys.Normalized, L2Normalized is { } n ? MetadataText.Bool(n) : null);
        Put(EncoderMetadataKeys.WithHead, WithHead is { } h ? MetadataText.Bool(h) : null);
        Put(EncoderMetadataKeys.BnFolded, BatchNormFolded is { } f ? MetadataText.Bool(f) : null);
        Put(EncoderMetadataKeys.CheckpointSha256, CheckpointSha256);
        Put(EncoderMetadataKeys.Config, ConfigJson);
        Put(EncoderMetadataKeys.ClassNames, ClassNames is { } names ? MetadataText.Strings(names) : null);
        return m;
    }

    /// <summary>Reads what <see cref="ToDictionary"/> writes (and what every earlier <c>moco export</c> wrote); null for a model without the preprocessing keys.</summary>
    /// <param name="metadata">A model's metadata_props.</param>
    /// <param name="source">The model, for messages.</param>
    /// <exception cref="InvalidDataException">A key is present but unreadable, or the preprocessing keys are incomplete or invalid.</exception>
    public static EncoderMetadata? Read(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (EncoderPreprocessing.FromMetadata(metadata, source) is not { } preprocessing)
        {
            return null;
        }

        try
        {
            string? Text(string key) => metadata.TryGetValue(key, out var v) ? v : null;
            int? Int(string key) => Text(key) is { } v ? MetadataText.ParseInt(key, v) : null;
            bool? Bool(string key) => Text(key) is { } v ? MetadataText.ParseBool(key, v) : null;
            return new EncoderMetadata(preprocessing)
            {
                Version = Text(EncoderMetadataKeys.Version), Arch = Text(EncoderMetadataKeys.Arch), Width = Int(EncoderMetadataKeys.Width),
                FeatureDimension = Int(EncoderMetadataKeys.FeatureDim), L2Normalized = Bool(EncoderMetadataKeys.Normalized),
                WithHead = Bool(EncoderMetadataKeys.WithHead), BatchNormFolded = Bool(EncoderMetadataKeys.BnFolded),
                CheckpointSha256 = Text(EncoderMetadataKeys.CheckpointSha256), ConfigJson = Text(EncoderMetadataKeys.Config),
                ClassNames = Text(EncoderMetadataKeys.ClassNames) is { } names ? MetadataText.ParseStrings(EncoderMetadataKeys.ClassNames, names) : null,
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"ONNX model {source} has unreadable MoCo metadata: {e.Message}", e);
        }
    }
}
