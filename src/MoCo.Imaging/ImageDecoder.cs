using MoCo.Imaging.Decoding;

namespace MoCo.Imaging;

/// <summary>
/// Decodes JPEG (libjpeg-turbo) and PNG (libpng) files into 8-bit HWC <see cref="DecodedImage"/>s
/// with the pixels PIL would give. Thread-safe.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Reads and decodes the file at <paramref name="path"/>.</summary>
    /// <param name="path">A JPEG or PNG file (recognised by its signature, not its extension).</param>
    /// <param name="options">Defaults to <see cref="ImageDecodeOptions.Default"/>.</param>
    /// <exception cref="ImageDecodeException">The file is empty, truncated, not JPEG/PNG, or too large.</exception>
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
    /// <exception cref="ImageDecodeException">The data is empty, truncated, not JPEG/PNG, or too large.</exception>
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

        DecodedImage image;
        if (JpegDecoder.IsJpeg(data))
        {
            image = JpegDecoder.Decode(data, source, options);
        }
        else if (PngDecoder.IsPng(data))
        {
            image = PngDecoder.Decode(data, source, options);
        }
        else
        {
            throw new ImageDecodeException(source, "not a JPEG or PNG file (unrecognised signature).");
        }

        return ConvertChannels(image, options.Channels);
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
