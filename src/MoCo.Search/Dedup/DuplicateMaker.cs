using MoCo.Imaging;
using MoCo.Imaging.Encoders;
using MoCo.Imaging.Transforms;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MoCo.Search.Dedup;

/// <summary>
/// Makes a near-duplicate of an image as an encoded file (PNG, or JPEG for <see cref="DuplicateKind.Jpeg50"/>): what
/// dedup's calibration plants in memory and what the tests and the bench write to disk, so both mean the same thing
/// by "a 0.5× resized copy".
/// </summary>
internal static class DuplicateMaker
{
    /// <summary>The four kinds, in the order the tests and docs list them.</summary>
    public static readonly DuplicateKind[] Kinds = [DuplicateKind.Copy, DuplicateKind.Half, DuplicateKind.Jpeg50, DuplicateKind.Crop90];

    /// <summary>The file extension a duplicate of <paramref name="kind"/> is written with.</summary>
    public static string Extension(DuplicateKind kind) => kind == DuplicateKind.Jpeg50 ? ".jpg" : ".png";

    /// <summary>The original as a PNG file.</summary>
    public static byte[] Original(DecodedImage image) => PngEncoder.Encode(image);

    /// <summary>A duplicate of <paramref name="image"/> (left unchanged) of kind <paramref name="kind"/>, encoded;
    /// <paramref name="rng"/> picks a crop's corner.</summary>
    public static byte[] Make(DecodedImage image, DuplicateKind kind, Random rng)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(rng);
        switch (kind)
        {
            case DuplicateKind.Copy:
                return PngEncoder.Encode(image);
            case DuplicateKind.Half:
            {
                using var half = ImageOps.ResizedCrop(image, new CropBox(0, 0, image.Height, image.Width), Math.Max(1, image.Width / 2), Math.Max(1, image.Height / 2));
                return PngEncoder.Encode(half);
            }

            case DuplicateKind.Jpeg50:
                return Jpeg(image, 50);
            case DuplicateKind.Crop90:
            {
                using var crop = Crop90(image, rng.Next(4));
                return PngEncoder.Encode(crop);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a duplicate kind.");
        }
    }

    /// <summary>The crop that keeps 90% of each side of <paramref name="image"/> at <paramref name="corner"/> (0 top left,
    /// 1 top right, 2 bottom left, 3 bottom right), at its own size; the caller disposes it.</summary>
    public static DecodedImage Crop90(DecodedImage image, int corner)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(corner);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(corner, 3);
        int w = Math.Max(1, image.Width * 9 / 10), h = Math.Max(1, image.Height * 9 / 10);
        int left = (corner & 1) == 0 ? 0 : image.Width - w, top = (corner & 2) == 0 ? 0 : image.Height - h;
        return ImageOps.ResizedCrop(image, new CropBox(top, left, h, w), w, h);
    }

    /// <summary>JPEG at <paramref name="quality"/> through SkiaSharp's encoder (libjpeg-turbo), gray or RGB.</summary>
    private static byte[] Jpeg(DecodedImage image, int quality)
    {
        var gray = image.Channels == 1;
        var info = new SKImageInfo(image.Width, image.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = gray ? image.Pixels.ToArray() : Rgba(image);
        var pinned = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, pinned.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, quality)
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} image as JPEG.");
            return data.ToArray();
        }
        finally
        {
            pinned.Free();
        }
    }

    private static byte[] Rgba(DecodedImage image)
    {
        var rgb = image.Pixels;
        var rgba = new byte[image.Width * image.Height * 4];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }

        return rgba;
    }
}
