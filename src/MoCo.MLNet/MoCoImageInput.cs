using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.MLNet.Input;

namespace MoCo.MLNet;

/// <summary>
/// One image for <see cref="MoCoFeaturizer"/>: a file, the bytes of an encoded file, an image already decoded, or an
/// item of an <see cref="IImageDataset"/> (decoded by the featurizer's workers). Made by the static factories; the
/// featurizer copies what it needs when it reads the input, so a caller may reuse its buffers once the next input is
/// asked for.
/// </summary>
/// <example>
/// <code>
/// using var featurizer = MoCoFeaturizer.Open("encoder.onnx");
/// float[,] features = featurizer.Featurize([MoCoImageInput.FromFile("a.jpg"), MoCoImageInput.FromFile("b.png")]);
/// </code>
/// </example>
public readonly struct MoCoImageInput
{
    private readonly Kind _kind;
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly ReadOnlyMemory<float> _values;
    private readonly DecodedImage? _image;
    private readonly IImageDataset? _dataset;
    private readonly int _index;
    private readonly string? _error;

    private MoCoImageInput(Kind kind, string? text, ReadOnlyMemory<byte> bytes = default, ReadOnlyMemory<float> values = default,
        DecodedImage? image = null, IImageDataset? dataset = null, int index = 0, string? error = null)
    {
        _kind = kind;
        _text = text;
        _bytes = bytes;
        _values = values;
        _image = image;
        _dataset = dataset;
        _index = index;
        _error = error;
    }

    private enum Kind
    {
        None,
        File,
        Encoded,
        Decoded,
        DatasetItem,
        Preprocessed,
        Failed,
    }

    /// <summary>An image file (JPEG, PNG, WebP, BMP, GIF; the signature decides), relative to <see cref="MoCoFeaturesOptions.ImageFolder"/> when one is set. An empty path is a bad image.</summary>
    /// <param name="path">The file's path.</param>
    public static MoCoImageInput FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new MoCoImageInput(Kind.File, path);
    }

    /// <summary>The bytes of an encoded image file; they are copied when the featurizer reads the input.</summary>
    /// <param name="bytes">The encoded file.</param>
    /// <param name="name">What messages call the image; default "(N encoded bytes)".</param>
    public static MoCoImageInput FromEncoded(ReadOnlyMemory<byte> bytes, string? name = null) =>
        new(Kind.Encoded, name ?? $"({bytes.Length} encoded bytes)", bytes);

    /// <summary>
    /// An image already decoded, with the encoder's channel count. The featurizer takes it over: it disposes the image
    /// once its crop is made (or when it stops before), so the caller must not dispose or change it.
    /// </summary>
    /// <param name="image">The decoded image (1 or 3 channels, as the encoder's preprocessing).</param>
    /// <param name="name">What messages call the image; default "(decoded W×H image)".</param>
    public static MoCoImageInput FromDecoded(DecodedImage image, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new MoCoImageInput(Kind.Decoded, name ?? $"(decoded {image.Width}x{image.Height} image)", image: image);
    }

    /// <summary>
    /// Item <paramref name="index"/> of a dataset (an image folder, a list, IDX data), loaded with
    /// <see cref="IImageDataset.Load"/> on the featurizer's decode threads; a file that cannot be decoded is a bad image
    /// named by <see cref="IImageDataset.Describe"/>. The dataset must allow loads from several threads at once (MoCo.Imaging's do).
    /// </summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="index">The item, 0 ≤ index &lt; Count.</param>
    public static MoCoImageInput FromDataset(IImageDataset dataset, int index)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, dataset.Count);
        return new MoCoImageInput(Kind.DatasetItem, null, dataset: dataset, index: index);
    }

    /// <summary>C·H·W values already preprocessed (MoCoFeatures' float column); only for a featurizer made for them.</summary>
    internal static MoCoImageInput FromValues(ReadOnlyMemory<float> values, string name) => new(Kind.Preprocessed, name, values: values);

    /// <summary>A row known to be bad before decoding (e.g. a missing value), with the reason.</summary>
    internal static MoCoImageInput Failed(string name, string error) => new(Kind.Failed, name, error: error);

    /// <summary>Copies the input into a featurizer's slot (taking over a decoded image).</summary>
    internal void CopyTo(ImageItem slot)
    {
        switch (_kind)
        {
            case Kind.File when _text!.Length == 0:
                slot.SetError(ImageColumnKind.Path, "(empty path)", "the image path is empty.");
                break;
            case Kind.File:
                slot.SetPath(_text!);
                break;
            case Kind.Encoded:
                slot.SetBytes(_bytes.Span, _text!);
                break;
            case Kind.Decoded:
                slot.SetDecoded(_image!, _text!);
                break;
            case Kind.DatasetItem:
                slot.SetDatasetItem(_dataset!, _index);
                break;
            case Kind.Preprocessed:
                slot.SetValues(_values.Span, _text!);
                break;
            case Kind.Failed:
                slot.SetError(ImageColumnKind.Path, _text!, _error!);
                break;
            default:
                throw new ArgumentException("An empty MoCoImageInput (default): make inputs with MoCoImageInput.FromFile, FromEncoded, FromDecoded or FromDataset.");
        }
    }
}
