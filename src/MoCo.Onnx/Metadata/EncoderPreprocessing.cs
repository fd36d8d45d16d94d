using System.Globalization;

namespace MoCo.Onnx.Metadata;

/// <summary>
/// How images must be prepared for an encoder: torchvision's <c>Resize(ResizeShorterSide)</c> (bilinear, antialiased),
/// <c>CenterCrop(CropSize)</c>, <c>ToTensor()</c>, <c>Normalize(Mean, Std)</c> on <see cref="Channels"/>-channel
/// images, fed in <see cref="Layout"/>. This is the one description every saved form carries: an exported encoder's
/// <c>moco.*</c> keys, a fitted MoCoFeatures step's <c>moco.mlnet.*</c> keys (<see cref="PreprocessingKeys"/>), and a
/// feature store's <see cref="Describe"/> line.
/// </summary>
/// <example><code>
/// var p = EncoderPreprocessing.FromMetadata(session.Metadata.Custom, "encoder.onnx");   // null for a model without moco.* keys
/// Console.WriteLine(p?.Describe());   // resize 256, crop 224, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]
/// </code></example>
/// <param name="ResizeShorterSide">The shorter side after the resize, e.g. 256 (key <see cref="EncoderMetadataKeys.Resize"/>).</param>
/// <param name="CropSize">The side of the square centre crop the model takes, e.g. 224 (<see cref="EncoderMetadataKeys.InputSize"/>).</param>
/// <param name="Channels">1 (gray, PIL's <c>convert('L')</c>) or 3 (RGB) (<see cref="EncoderMetadataKeys.InputChannels"/>).</param>
/// <param name="Mean">Per-channel mean on the 0–1 scale, one value per channel (<see cref="EncoderMetadataKeys.Mean"/>).</param>
/// <param name="Std">Per-channel standard deviation on the 0–1 scale (<see cref="EncoderMetadataKeys.Std"/>).</param>
public sealed record EncoderPreprocessing(int ResizeShorterSide, int CropSize, int Channels, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>The input layout; default <see cref="EncoderInputLayout.NchwFloat"/> (also when a model's metadata has no layout key).</summary>
    public EncoderInputLayout Layout { get; init; } = EncoderInputLayout.NchwFloat;

    /// <summary>Number of values one preprocessed image has (Channels · CropSize²).</summary>
    public int ValueCount => Channels * CropSize * CropSize;

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate()
    {
        if (CropSize <= 0 || ResizeShorterSide < CropSize)
        {
            throw new ArgumentException($"Preprocessing needs 0 < CropSize <= ResizeShorterSide, got crop {CropSize}, resize {ResizeShorterSide}.");
        }

        if (Channels is not (1 or 3))
        {
            throw new ArgumentException($"Preprocessing needs 1 or 3 channels, got {Channels}.");
        }

        if (Mean is null || Std is null || Mean.Count != Channels || Std.Count != Channels)
        {
            throw new ArgumentException($"Preprocessing needs one mean and one std per channel ({Channels}), got {Mean?.Count ?? 0} and {Std?.Count ?? 0}.");
        }

        if (Std.Any(s => !(s > 0)) || Mean.Any(m => !float.IsFinite(m)))
        {
            throw new ArgumentException($"Preprocessing std values must be positive and means finite, got mean [{string.Join(", ", Mean)}], std [{string.Join(", ", Std)}].");
        }

        if (!Enum.IsDefined(Layout))
        {
            throw new ArgumentException($"Preprocessing layout {(int)Layout} is not an {nameof(EncoderInputLayout)}.");
        }
    }

    /// <summary>
    /// The preprocessing as one line, e.g. <c>resize 256, crop 224, channels 3, mean [0.485, 0.456, 0.406], std [0.229,
    /// 0.224, 0.225]</c> (round-trip floats; the layout is not part of it). Feature stores keep this line and refuse a
    /// run whose line differs, so its form never changes.
    /// </summary>
    public string Describe()
    {
        static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"resize {ResizeShorterSide}, crop {CropSize}, channels {Channels}, mean [{string.Join(", ", Mean.Select(F))}], std [{string.Join(", ", Std.Select(F))}]");
    }

    /// <summary>Adds the preprocessing to <paramref name="metadata"/> under <paramref name="keys"/> (default <see cref="PreprocessingKeys.Encoder"/>), after <see cref="Validate"/>.</summary>
    public void WriteTo(IDictionary<string, string> metadata, PreprocessingKeys? keys = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        keys ??= PreprocessingKeys.Encoder;
        Validate();
        metadata[keys.Resize] = MetadataText.Int(ResizeShorterSide);
        metadata[keys.CropSize] = MetadataText.Int(CropSize);
        metadata[keys.Channels] = MetadataText.Int(Channels);
        metadata[keys.Mean] = MetadataText.Floats(Mean);
        metadata[keys.Std] = MetadataText.Floats(Std);
        if (keys.Layout is { } layout)
        {
            metadata[layout] = Layout == EncoderInputLayout.NhwcUInt8 ? EncoderMetadataKeys.LayoutNhwcUInt8 : EncoderMetadataKeys.LayoutNchwFloat;
        }
    }

    /// <summary>
    /// Reads the preprocessing kept under <paramref name="keys"/> (default <see cref="PreprocessingKeys.Encoder"/>); null
    /// when none of its required keys is present. The layout key is optional (absent: <see cref="EncoderInputLayout.NchwFloat"/>).
    /// </summary>
    /// <param name="metadata">A model's metadata_props.</param>
    /// <param name="source">The model, for messages (e.g. its path).</param>
    /// <param name="keys">Where the preprocessing is kept.</param>
    /// <exception cref="InvalidDataException">Some keys are present but not all, or a value is unreadable or invalid; the message names the model and the key.</exception>
    public static EncoderPreprocessing? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source, PreprocessingKeys? keys = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        keys ??= PreprocessingKeys.Encoder;
        var present = keys.Required.Where(metadata.ContainsKey).ToArray();
        if (present.Length == 0)
        {
            return null;
        }

        if (present.Length != keys.Required.Count)
        {
            throw new InvalidDataException($"ONNX model {source} has incomplete MoCo metadata: missing {string.Join(", ", keys.Required.Except(present))}.");
        }

        try
        {
            var result = new EncoderPreprocessing(
                MetadataText.ParseInt(keys.Resize, metadata[keys.Resize]),
                MetadataText.ParseInt(keys.CropSize, metadata[keys.CropSize]),
                MetadataText.ParseInt(keys.Channels, metadata[keys.Channels]),
                MetadataText.ParseFloats(keys.Mean, metadata[keys.Mean]),
                MetadataText.ParseFloats(keys.Std, metadata[keys.Std]))
            {
                Layout = keys.Layout is { } k && metadata.TryGetValue(k, out var layout) ? ParseLayout(k, layout) : EncoderInputLayout.NchwFloat,
            };
            result.Validate();
            return result;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"ONNX model {source} has unreadable MoCo preprocessing metadata: {e.Message}", e);
        }
    }

    private static EncoderInputLayout ParseLayout(string key, string text) => text switch
    {
        EncoderMetadataKeys.LayoutNchwFloat => EncoderInputLayout.NchwFloat,
        EncoderMetadataKeys.LayoutNhwcUInt8 => EncoderInputLayout.NhwcUInt8,
        _ => throw new FormatException($"{key} = '{text}' is neither {EncoderMetadataKeys.LayoutNchwFloat} nor {EncoderMetadataKeys.LayoutNhwcUInt8}"),
    };

    /// <summary>Value equality, the per-channel lists compared element by element.</summary>
    public bool Equals(EncoderPreprocessing? other) =>
        other is not null && ResizeShorterSide == other.ResizeShorterSide && CropSize == other.CropSize && Channels == other.Channels
        && Layout == other.Layout && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ResizeShorterSide);
        hash.Add(CropSize);
        hash.Add(Channels);
        hash.Add(Layout);
        foreach (var v in Mean) hash.Add(v);
        foreach (var v in Std) hash.Add(v);
        return hash.ToHashCode();
    }
}
