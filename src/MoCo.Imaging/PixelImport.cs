using MoCo.Imaging.Decoding;

namespace MoCo.Imaging;

/// <summary>Builds <see cref="DecodedImage"/>s from pixels decoded elsewhere (e.g. ML.NET's <c>MLImage</c>).</summary>
public static class PixelImport
{
    /// <summary>
    /// Converts 32-bit BGRA (or RGBA) pixels, rows packed (stride 4·width), to an RGB or gray image. Alpha is
    /// dropped as PIL's <c>convert('RGB')</c> does; premultiplied colours are first divided by alpha (rounded).
    /// Gray is PIL's <c>convert('L')</c> of the RGB values.
    /// </summary>
    /// <param name="pixels">width·height·4 bytes.</param>
    /// <param name="width">Image width.</param>
    /// <param name="height">Image height.</param>
    /// <param name="bgr">True for B,G,R,A byte order; false for R,G,B,A.</param>
    /// <param name="premultiplied">Whether colours are premultiplied by alpha.</param>
    /// <param name="channels">3 (RGB) or 1 (gray).</param>
    /// <returns>A new image (caller disposes).</returns>
    public static DecodedImage FromRgba32(ReadOnlySpan<byte> pixels, int width, int height, bool bgr, bool premultiplied, int channels)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"Image size must be positive, got {width}x{height}.");
        }

        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3.");
        }

        if (pixels.Length != 4L * width * height)
        {
            throw new ArgumentException($"A {width}x{height} 32-bit image has {4L * width * height} bytes, got {pixels.Length}.", nameof(pixels));
        }

        var rgb = new DecodedImage(width, height, 3);
        var dst = rgb.Pixels;
        int r = bgr ? 2 : 0, b = bgr ? 0 : 2;
        for (int i = 0, n = width * height; i < n; i++)
        {
            var p = pixels.Slice(4 * i, 4);
            int a = p[3];
            if (premultiplied && a < 255)
            {
                dst[3 * i] = Unpremultiply(p[r], a);
                dst[(3 * i) + 1] = Unpremultiply(p[1], a);
                dst[(3 * i) + 2] = Unpremultiply(p[b], a);
            }
            else
            {
                dst[3 * i] = p[r];
                dst[(3 * i) + 1] = p[1];
                dst[(3 * i) + 2] = p[b];
            }
        }

        if (channels == 3)
        {
            return rgb;
        }

        using (rgb)
        {
            var gray = new DecodedImage(width, height, 1);
            PixelConversions.RgbToGray(rgb.Pixels, gray.Pixels);
            return gray;
        }
    }

    private static byte Unpremultiply(int c, int a) => a == 0 ? (byte)0 : (byte)Math.Min(255, ((c * 255) + (a / 2)) / a);

    /// <summary>PIL's <c>convert('L')</c> of an RGB image (ITU-R 601-2 luma, 16.16 fixed point); a new image.</summary>
    public static DecodedImage ToGray(DecodedImage rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.Channels != 3)
        {
            throw new ArgumentException($"ToGray needs an RGB image, got {rgb.Channels} channel(s).", nameof(rgb));
        }

        var gray = new DecodedImage(rgb.Width, rgb.Height, 1);
        PixelConversions.RgbToGray(rgb.Pixels, gray.Pixels);
        return gray;
    }
}
