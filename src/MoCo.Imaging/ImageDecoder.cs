using MoCo.Imaging.Decoding;
using MoCo.Imaging.Native;

namespace MoCo.Imaging;

/// <summary>
/// Decodes image files into 8-bit HWC <see cref="DecodedImage"/>s with the pixels PIL would give: JPEG through the
/// system's libjpeg-turbo (TurboJPEG) where it is installed, else through SkiaSharp's bundled codecs, which also
/// decode PNG, WebP, BMP and GIF everywhere (<see cref="DecoderBackend"/>; docs/imaging.md gives which runs where and
/// the measurements against PIL). Thread-safe.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// What <see cref="DecoderBackend.Auto"/> decodes JPEGs with in this process: <see cref="DecoderBackend.TurboJpeg"/>
    /// when the system's libturbojpeg loads, else <see cref="DecoderBackend.Skia"/>. Other formats always use Skia.
    /// </summary>
    public static DecoderBackend JpegBackend => Choose(ImageFormat.Jpeg, DecoderBackend.Auto);

    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <param name="path">A JPEG, PNG, WebP, BMP or GIF (first frame) file, recognised by its signature, not its extension.</param>
    /// <param name="options">Defaults to <see cref="ImageDecodeOptions.Default"/>.</param>
    /// <exception cref="ImageDecodeException">The file is missing, empty, truncated, in no format the decoder reads, or too large.</exception>
    /// <exception cref="DllNotFoundException"><see cref="DecoderBackend.TurboJpeg"/> was asked for, the file is a JPEG and libturbojpeg is missing.</exception>
    public static DecodedImage Decode(string path, ImageDecodeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Missing, unreadable or vanished files are bad inputs like corrupt ones: a loader skips and reports them.
            throw new ImageDecodeException(path, ex.Message, ex);
        }

        return Decode(data, path, options);
    }

    /// <summary>Decodes an encoded image held in memory.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="source">The name used in error messages (usually the path).</param>
    /// <param name="options">Defaults to <see cref="ImageDecodeOptions.Default"/>.</param>
    /// <exception cref="ImageDecodeException">The data is empty, truncated, in no format the decoder reads, or too large.</exception>
    /// <exception cref="DllNotFoundException"><see cref="DecoderBackend.TurboJpeg"/> was asked for, the file is a JPEG and libturbojpeg is missing.</exception>
    public static DecodedImage Decode(ReadOnlySpan<byte> data, string source, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= ImageDecodeOptions.Default;
        if (options.Channels is not (0 or 1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Channels, "ImageDecodeOptions.Channels must be 0, 1 or 3.");
        }

        if (data.IsEmpty)
        {
            throw new ImageDecodeException(source, "the file is empty (0 bytes).");
        }

        var format = ImageSignature.Detect(data);
        if (format == ImageFormat.Unknown)
        {
            throw new ImageDecodeException(source, "not a JPEG, PNG, WebP, BMP or GIF file (unrecognised signature).");
        }

        var image = Choose(format, options.Decoder) == DecoderBackend.TurboJpeg
            ? JpegDecoder.Decode(data, source, options)
            : SkiaDecoder.Decode(data, source, options);
        return ConvertChannels(image, options.Channels);
    }

    /// <summary>The backend that decodes <paramref name="format"/> when <paramref name="requested"/> is asked for.</summary>
    /// <exception cref="DllNotFoundException">A JPEG, <see cref="DecoderBackend.TurboJpeg"/> asked for, and libturbojpeg missing.</exception>
    internal static DecoderBackend Choose(ImageFormat format, DecoderBackend requested)
    {
        if (requested is not (DecoderBackend.Auto or DecoderBackend.TurboJpeg or DecoderBackend.Skia))
        {
            throw new ArgumentOutOfRangeException(nameof(requested), requested, "unknown DecoderBackend.");
        }

        if (format != ImageFormat.Jpeg || requested == DecoderBackend.Skia)
        {
            return DecoderBackend.Skia;
        }

        if (requested == DecoderBackend.TurboJpeg)
        {
            NativeLibraryResolver.EnsureAvailable(NativeLibraryResolver.TurboJpeg);
            return DecoderBackend.TurboJpeg;
        }

        return NativeLibraryResolver.IsAvailable(NativeLibraryResolver.TurboJpeg) ? DecoderBackend.TurboJpeg : DecoderBackend.Skia;
    }

    /// <summary>Returns <paramref name="image"/> with <paramref name="channels"/> channels (0: unchanged), disposing it if a new one is made.</summary>
    internal static DecodedImage ConvertChannels(DecodedImage image, int channels)
    {
        if (channels == 0 || channels == image.Channels)
        {
            return image;
        }

        var result = new DecodedImage(image.Width, image.Height, channels);
        if (channels == 1)
        {
            PixelConversions.RgbToGray(image.Pixels, result.Pixels);
        }
        else
        {
            PixelConversions.GrayToRgb(image.Pixels, result.Pixels);
        }

        image.Dispose();
        return result;
    }

    internal static void CheckSize(string source, int width, int height, ImageDecodeOptions options)
    {
        if (width <= 0 || height <= 0 || (long)width * height > options.MaxPixels)
        {
            throw new ImageDecodeException(source, $"absurd dimensions {width}x{height} (limit {options.MaxPixels} pixels).");
        }
    }
}
