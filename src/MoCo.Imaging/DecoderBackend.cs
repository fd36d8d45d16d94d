namespace MoCo.Imaging;

/// <summary>
/// Which library decodes JPEGs (<see cref="ImageDecodeOptions.Decoder"/>; <see cref="ImageDecoder.JpegBackend"/> says
/// which one <see cref="Auto"/> picks here). Every other format (PNG, WebP, BMP, GIF) is always decoded by SkiaSharp.
/// Both JPEG paths give PIL's pixels bit for bit on the test fixtures; docs/imaging.md has the measurements.
/// </summary>
public enum DecoderBackend
{
    /// <summary>Default: the system's libturbojpeg when it loads (the faster JPEG path here), SkiaSharp otherwise (Windows, macOS, Linux without it).</summary>
    Auto = 0,

    /// <summary>libjpeg-turbo's TurboJPEG from the system (Debian <c>libturbojpeg0</c>). Throws <see cref="DllNotFoundException"/> on a JPEG if it is missing.</summary>
    TurboJpeg = 1,

    /// <summary>SkiaSharp's bundled codecs (from NuGet, on every platform).</summary>
    Skia = 2,
}
