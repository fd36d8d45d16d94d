using System.Globalization;

namespace MoCo.MLNet;

/// <summary>
/// The evaluation preprocessing of an encoder, as torchvision's <c>Resize(ResizeShorterSide)</c>,
/// <c>CenterCrop(CropSize)</c>, <c>ToTensor()</c>, <c>Normalize(Mean, Std)</c> on PIL images, done exactly by
/// MoCo.Imaging. Read from a MoCo export's metadata (<c>moco.*</c>), or given for any other ONNX model.
/// </summary>
/// <param name="ResizeShorterSide">The shorter side after the bilinear (antialiased) resize, e.g. 256.</param>
/// <param name="CropSize">The side of the square centre crop the model takes, e.g. 224.</param>
/// <param name="Channels">1 (gray, PIL's <c>convert('L')</c>) or 3 (RGB).</param>
/// <param name="Mean">Per-channel mean on the 0–1 scale (one value per channel).</param>
/// <param name="Std">Per-channel standard deviation on the 0–1 scale.</param>
public sealed record MoCoPreprocessing(int ResizeShorterSide, int CropSize, int Channels, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>ImageNet's recipe for 224-pixel RGB models: resize 256, crop 224, ImageNet mean and std.</summary>
    public static MoCoPreprocessing ImageNet { get; } = new(256, 224, 3, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

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
    }

    /// <summary>
    /// Reads <c>moco.resize</c>, <c>moco.input_size</c>, <c>moco.input_channels</c>, <c>moco.mean</c> and
    /// <c>moco.std</c> (written by <c>moco export</c>); null when the model carries none of them.
    /// </summary>
    /// <param name="metadata">The model's metadata_props.</param>
    /// <param name="source">The model, for messages.</param>
    /// <exception cref="InvalidDataException">Some keys are present but incomplete or unreadable.</exception>
    public static MoCoPreprocessing? FromMetadata(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        string[] keys = ["moco.resize", "moco.input_size", "moco.input_channels", "moco.mean", "moco.std"];
        var present = keys.Where(metadata.ContainsKey).ToArray();
        if (present.Length == 0)
        {
            return null;
        }

        if (present.Length != keys.Length)
        {
            throw new InvalidDataException($"ONNX model {source} has incomplete MoCo metadata: missing {string.Join(", ", keys.Except(present))}.");
        }

        try
        {
            var result = new MoCoPreprocessing(
                int.Parse(metadata["moco.resize"], CultureInfo.InvariantCulture),
                int.Parse(metadata["moco.input_size"], CultureInfo.InvariantCulture),
                int.Parse(metadata["moco.input_channels"], CultureInfo.InvariantCulture),
                ParseFloats(metadata["moco.mean"]),
                ParseFloats(metadata["moco.std"]));
            result.Validate();
            return result;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"ONNX model {source} has unreadable MoCo preprocessing metadata: {e.Message}", e);
        }
    }

    private static float[] ParseFloats(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(v => float.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
}
