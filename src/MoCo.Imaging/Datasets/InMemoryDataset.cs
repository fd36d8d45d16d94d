namespace MoCo.Imaging.Datasets;

/// <summary>
/// Equal-sized 8-bit HWC images held in one array (IDX data, tests). <see cref="Load"/> copies a
/// sample into a pooled image and converts channels as <see cref="ImageDecodeOptions.Channels"/> says.
/// </summary>
internal sealed class InMemoryDataset : IImageDataset
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly string _name;

    public InMemoryDataset(byte[] pixels, int count, int height, int width, int channels, int[]? labels, IReadOnlyList<string> classes, string name)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3.");
        }

        if ((long)count * height * width * channels != pixels.Length)
        {
            throw new ArgumentException($"pixels holds {pixels.Length} bytes, expected {count}x{height}x{width}x{channels}.", nameof(pixels));
        }

        if (labels is not null && labels.Length != count)
        {
            throw new ArgumentException($"{labels.Length} labels for {count} images.", nameof(labels));
        }

        _pixels = pixels;
        _labels = labels ?? Enumerable.Repeat(-1, count).ToArray();
        Count = count;
        Height = height;
        Width = width;
        Channels = channels;
        Classes = classes;
        _name = name;
    }

    public int Count { get; }

    public int Height { get; }

    public int Width { get; }

    public int Channels { get; }

    public IReadOnlyList<string> Classes { get; }

    public int GetLabel(int index) => _labels[index];

    public string Describe(int index) => $"{_name}[{index}]";

    public DecodedImage Load(int index, ImageDecodeOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int size = Height * Width * Channels;
        var image = new DecodedImage(Width, Height, Channels);
        _pixels.AsSpan(index * size, size).CopyTo(image.Pixels);
        return ImageDecoder.ConvertChannels(image, options.Channels);
    }
}
