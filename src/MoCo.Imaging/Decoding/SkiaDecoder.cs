using System.Buffers;
using SkiaSharp;

namespace MoCo.Imaging.Decoding;

/// <summary>
/// JPEG, PNG, WebP, BMP and GIF (first frame) through SkiaSharp's <see cref="SKCodec"/>, i.e. the
/// codecs bundled in SkiaSharp's native assets, so it runs wherever the NuGet package does (Windows, macOS, Linux)
/// without system libraries. Pixels are taken as the file stores them: no colour management (the destination has no
/// colour space, as PIL applies none), unpremultiplied alpha dropped without compositing (PIL's <c>convert('RGB')</c>).
/// </summary>
internal static class SkiaDecoder
{
    internal static unsafe DecodedImage Decode(ReadOnlySpan<byte> data, string source, ImageDecodeOptions options)
    {
        fixed (byte* bytes = data)
        {
            // SKData over the pinned span: no copy; the codec and its stream die before the span is unpinned.
            using var skData = SKData.Create((IntPtr)bytes, data.Length);
            using var stream = new SKMemoryStream(skData);
            using var codec = SKCodec.Create(stream, out var created);
            if (codec is null)
            {
                throw new ImageDecodeException(source, $"SkiaSharp cannot read it ({Describe(created)}).");
            }

            var info = codec.Info;
            ImageDecoder.CheckSize(source, info.Width, info.Height, options);
            (int w, int h) = ScaledSize(codec, options.MinShorterSide);

            // Gray files stay one channel, as on the TurboJPEG path and in PIL ("L"). Skia gives Gray8 only for opaque gray;
            // gray PNGs with alpha (LA, or a tRNS key) are read as RGBA, whose R is the gray value.
            bool opaqueGray = info.ColorType == SKColorType.Gray8;
            bool gray = opaqueGray || (codec.EncodedFormat == SKEncodedImageFormat.Png && IsGrayPng(data));
            var image = new DecodedImage(w, h, gray ? 1 : 3);
            try
            {
                if (opaqueGray)
                {
                    fixed (byte* dst = image.Buffer)
                    {
                        Check(source, codec.GetPixels(new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque), (IntPtr)dst, w, SKCodecOptions.Default));
                    }
                }
                else
                {
                    if (4L * w * h > Array.MaxLength)
                    {
                        throw new ImageDecodeException(source, $"absurd dimensions {w}x{h}: the RGBA image would exceed one buffer ({Array.MaxLength} bytes).");
                    }

                    var alpha = info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
                    byte[] rgba = ArrayPool<byte>.Shared.Rent(w * h * 4);
                    try
                    {
                        fixed (byte* dst = rgba)
                        {
                            Check(source, codec.GetPixels(new SKImageInfo(w, h, SKColorType.Rgba8888, alpha), (IntPtr)dst, w * 4, SKCodecOptions.Default));
                        }

                        if (gray)
                        {
                            PixelConversions.RgbaToGray(rgba.AsSpan(0, w * h * 4), image.Pixels);
                        }
                        else
                        {
                            PixelConversions.RgbaToRgb(rgba.AsSpan(0, w * h * 4), image.Pixels);
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(rgba);
                    }
                }
            }
            catch
            {
                image.Dispose();
                throw;
            }

            return options.ApplyExifOrientation ? ExifOrientation.Apply(image, (int)codec.EncodedOrigin) : image;
        }
    }

    /// <summary>
    /// The JPEG DCT scaling <see cref="DctScale.Denominator"/> chooses, as long as Skia offers exactly that size
    /// (<see cref="SKCodec.GetScaledDimensions"/> asks libjpeg-turbo); full size for every other format.
    /// </summary>
    private static (int Width, int Height) ScaledSize(SKCodec codec, int minShorterSide)
    {
        var info = codec.Info;
        if (codec.EncodedFormat != SKEncodedImageFormat.Jpeg)
        {
            return (info.Width, info.Height);
        }

        for (int denom = DctScale.Denominator(info.Width, info.Height, minShorterSide); denom > 1; denom /= 2)
        {
            var size = codec.GetScaledDimensions(1f / denom);
            if ((size.Width, size.Height) == DctScale.Size(info.Width, info.Height, denom))
            {
                return (size.Width, size.Height);
            }
        }

        return (info.Width, info.Height);
    }

    /// <summary>PNG colour type 0 (gray) or 4 (gray + alpha): byte 25, in IHDR, the chunk every PNG starts with (PNG spec 11.2.2).</summary>
    private static bool IsGrayPng(ReadOnlySpan<byte> png) => png.Length > 25 && png[12..16].SequenceEqual("IHDR"u8) && png[25] is 0 or 4;

    private static void Check(string source, SKCodecResult result)
    {
        // IncompleteInput / ErrorInInput leave the missing rows filled in; PIL raises on a truncated file, so do we.
        if (result != SKCodecResult.Success)
        {
            throw new ImageDecodeException(source, $"SkiaSharp could not decode it ({Describe(result)}).");
        }
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "IncompleteInput: the file is truncated",
        SKCodecResult.ErrorInInput => "ErrorInInput: the data is corrupt",
        SKCodecResult.InvalidInput => "InvalidInput: not an image format it knows, or a malformed header",
        SKCodecResult.Unimplemented => "Unimplemented: a format variant it does not decode",
        _ => result.ToString(),
    };
}
