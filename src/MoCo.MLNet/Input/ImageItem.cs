using MoCo.Imaging;
using MoCo.Imaging.Datasets;

namespace MoCo.MLNet.Input;

/// <summary>
/// One row's image as read from its column or a <see cref="MoCoImageInput"/>, held until a worker preprocesses it: a
/// path, the encoded bytes, an image already decoded (copied out of an <c>MLImage</c>, whose getter frees it on the next
/// row; owned and disposed here), an item of a dataset (decoded by the worker), or preprocessed floats.
/// </summary>
internal sealed class ImageItem : IDisposable
{
    public ImageColumnKind Kind { get; private set; }

    /// <summary>The path (as given), or a description of the row for messages.</summary>
    public string Source { get; private set; } = "";

    public byte[]? Bytes { get; private set; }

    public int ByteCount { get; private set; }

    public DecodedImage? Decoded { get; private set; }

    public float[]? Values { get; private set; }

    /// <summary>With <see cref="DatasetIndex"/>: an item the worker loads from this dataset.</summary>
    public IImageDataset? Dataset { get; private set; }

    public int DatasetIndex { get; private set; }

    /// <summary>A read error (e.g. a missing value) found while reading the row; the worker reports it.</summary>
    public string? ReadError { get; private set; }

    public void SetPath(string path)
    {
        Reset(ImageColumnKind.Path);
        Source = path;
    }

    public void SetBytes(ReadOnlySpan<byte> bytes, string source)
    {
        Reset(ImageColumnKind.EncodedBytes);
        Source = source;
        if (Bytes is null || Bytes.Length < bytes.Length)
        {
            Bytes = new byte[Math.Max(bytes.Length, 1024)];
        }

        bytes.CopyTo(Bytes);
        ByteCount = bytes.Length;
    }

    public void SetDecoded(DecodedImage image, string source)
    {
        Reset(ImageColumnKind.MLImage);
        Decoded = image;
        Source = source;
    }

    public void SetDatasetItem(IImageDataset dataset, int index)
    {
        Reset(ImageColumnKind.Path);
        Dataset = dataset;
        DatasetIndex = index;
        Source = dataset.Describe(index);
    }

    public void SetValues(ReadOnlySpan<float> values, string source)
    {
        Reset(ImageColumnKind.Preprocessed);
        Source = source;
        if (Values is null || Values.Length != values.Length)
        {
            Values = new float[values.Length];
        }

        values.CopyTo(Values);
    }

    public void SetError(ImageColumnKind kind, string source, string error)
    {
        Reset(kind);
        Source = source;
        ReadError = error;
    }

    public void Dispose() => Reset(Kind);

    private void Reset(ImageColumnKind kind)
    {
        Decoded?.Dispose();
        Decoded = null;
        Dataset = null;
        ReadError = null;
        ByteCount = 0;
        Kind = kind;
    }
}
