namespace MoCo.Imaging.Decoding;

/// <summary>The formats <see cref="ImageDecoder"/> accepts, told apart by their signatures (never by file extension).</summary>
internal enum ImageFormat
{
    Unknown,
    Jpeg,
    Png,
    WebP,
    Gif,
    Bmp,
}

/// <summary>
/// Signature sniffing. Only formats with a real magic number are passed on: SkiaSharp also reads WBMP, whose
/// header is almost any two zero bytes, and would turn some garbage files into images.
/// </summary>
internal static class ImageSignature
{
    internal static ImageFormat Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return ImageFormat.Jpeg; // SOI then a marker (ITU T.81 B.1.1.2)
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFormat.Png; // PNG spec 5.2
        }

        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        return data.Length >= 14 && data.StartsWith("BM"u8) ? ImageFormat.Bmp : ImageFormat.Unknown;
    }
}
