namespace MoCo.Imaging;

/// <summary>How <see cref="ImageDecoder"/> decodes a file. Immutable; <see cref="Default"/> keeps the file's channels.</summary>
/// <param name="Channels">
/// 0 (default): as the file is, gray stays gray and everything else becomes RGB;
/// 1: gray, colour converted to luminance as PIL's <c>convert('L')</c> (ITU-R 601-2 weights);
/// 3: RGB, gray replicated.
/// </param>
/// <param name="MinShorterSide">
/// 0 (default): full size. Otherwise a JPEG may be decoded with DCT scaling (1/2, 1/4 or 1/8)
/// as long as its shorter side stays at least this many pixels. Other formats ignore it.
/// </param>
/// <param name="ApplyExifOrientation">Default true: rotate/flip the image as its EXIF orientation tag says (PIL's <c>ImageOps.exif_transpose</c>): JPEG, and with SkiaSharp whatever else carries the tag (WebP).</param>
/// <param name="MaxPixels">Default 178,956,970 (Pillow's decompression-bomb limit x 2): larger images are rejected before decoding.</param>
/// <param name="Decoder">
/// The JPEG decoder; default <see cref="DecoderBackend.Auto"/>: the system's libturbojpeg when it loads, SkiaSharp
/// otherwise. <see cref="DecoderBackend.Skia"/> or <see cref="DecoderBackend.TurboJpeg"/> force one. Other formats
/// always go through SkiaSharp.
/// </param>
public sealed record ImageDecodeOptions(
    int Channels = 0,
    int MinShorterSide = 0,
    bool ApplyExifOrientation = true,
    long MaxPixels = 178_956_970,
    DecoderBackend Decoder = DecoderBackend.Auto)
{
    /// <summary>File channels, full size, EXIF applied.</summary>
    public static ImageDecodeOptions Default { get; } = new();
}
