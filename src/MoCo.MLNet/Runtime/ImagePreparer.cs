using MoCo.Imaging;
using MoCo.Imaging.Transforms;
using MoCo.MLNet.Input;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// Turns one image into the encoder's uint8 centre crop (S·S·C bytes, HWC): decode as PIL would, Resize(shorter side),
/// CenterCrop, through MoCo.Imaging's Pillow-exact kernels. Thread-safe.
/// </summary>
internal sealed class ImagePreparer
{
    private readonly MoCoPreprocessing _pre;
    private readonly EvalTransform _transform;
    private readonly ImageDecodeOptions _decode;
    private readonly string? _folder;

    public ImagePreparer(MoCoPreprocessing preprocessing, string? imageFolder, bool scaledJpegDecode)
    {
        _pre = preprocessing;
        _transform = new EvalTransform(preprocessing.ResizeShorterSide, preprocessing.CropSize);
        _decode = new ImageDecodeOptions(Channels: preprocessing.Channels, MinShorterSide: scaledJpegDecode ? preprocessing.ResizeShorterSide : 0);
        _folder = string.IsNullOrEmpty(imageFolder) ? null : imageFolder;
    }

    /// <summary>Bytes of one crop.</summary>
    public int CropLength => _pre.ValueCount;

    /// <summary>The full path a path value refers to.</summary>
    public string Resolve(string path) => _folder is null ? path : Path.Combine(_folder, path);

    /// <summary>Writes the crop of <paramref name="item"/> into <paramref name="crop"/>; returns why it failed, or null.</summary>
    public string? TryPrepare(ImageItem item, Span<byte> crop)
    {
        if (item.ReadError is { } error)
        {
            return error;
        }

        try
        {
            using var image = item.Dataset is { } dataset ? dataset.Load(item.DatasetIndex, _decode) : item.Kind switch
            {
                ImageColumnKind.Path => ImageDecoder.Decode(Resolve(item.Source), _decode),
                ImageColumnKind.EncodedBytes => ImageDecoder.Decode(item.Bytes.AsSpan(0, item.ByteCount), item.Source, _decode),
                ImageColumnKind.MLImage => null,
                _ => throw new InvalidOperationException($"{item.Kind} items are not images."),
            };
            var source = image ?? item.Decoded ?? throw new InvalidOperationException("the row holds no image.");
            Prepare(source, crop);
            return null;
        }
        catch (ImageDecodeException e)
        {
            return e.Message;
        }
    }

    /// <summary>Writes the crop of a decoded image (with the preprocessing's channel count) into <paramref name="crop"/>.</summary>
    public void Prepare(DecodedImage image, Span<byte> crop)
    {
        if (image.Channels != _pre.Channels)
        {
            throw new InvalidOperationException($"decoded {image.Channels} channel(s), the encoder takes {_pre.Channels}.");
        }

        using var cropped = _transform.ApplyBytes(image);
        cropped.Pixels.CopyTo(crop);
    }
}
