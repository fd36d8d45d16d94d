namespace MoCo.Imaging.Decoding;

/// <summary>Channel conversions with Pillow's integer formulas (libImaging/Convert.c), so results match PIL bit for bit.</summary>
internal static class PixelConversions
{
    /// <summary>RGB to L as PIL's <c>convert('L')</c>: ITU-R 601-2 luma in 16.16 fixed point, rounded.</summary>
    internal static void RgbToGray(ReadOnlySpan<byte> rgb, Span<byte> gray)
    {
        for (int i = 0; i < gray.Length; i++)
        {
            int j = 3 * i;
            gray[i] = (byte)(((rgb[j] * 19595) + (rgb[j + 1] * 38470) + (rgb[j + 2] * 7471) + 0x8000) >> 16);
        }
    }

    /// <summary>Gray to RGB by replication (PIL's <c>convert('RGB')</c> on an L image).</summary>
    internal static void GrayToRgb(ReadOnlySpan<byte> gray, Span<byte> rgb)
    {
        for (int i = gray.Length - 1; i >= 0; i--)
        {
            byte v = gray[i];
            rgb[3 * i] = v;
            rgb[(3 * i) + 1] = v;
            rgb[(3 * i) + 2] = v;
        }
    }

    /// <summary>
    /// CMYK as libjpeg returns it from an Adobe JPEG (inverted, PIL's rawmode "CMYK;I") to RGB as
    /// Pillow's <c>cmyk2rgb</c>: channel = (255 - k) - (c * (255 - k)) / 255, with Pillow's rounded division by 255.
    /// </summary>
    internal static void InvertedCmykToRgb(ReadOnlySpan<byte> cmyk, Span<byte> rgb)
    {
        int n = cmyk.Length / 4;
        for (int i = 0; i < n; i++)
        {
            int nk = cmyk[(4 * i) + 3]; // 255 - k, since the stored k is inverted
            for (int ch = 0; ch < 3; ch++)
            {
                int c = 255 - cmyk[(4 * i) + ch];
                int t = (c * nk) + 128;
                int v = nk - (((t >> 8) + t) >> 8);
                rgb[(3 * i) + ch] = (byte)Math.Clamp(v, 0, 255);
            }
        }
    }

    /// <summary>Drops the last channel of interleaved pixels in place (RGBA to RGB, LA to L), as PIL's convert does: no compositing.</summary>
    internal static void DropAlpha(Span<byte> pixels, int pixelCount, int channelsWithAlpha)
    {
        int c = channelsWithAlpha - 1;
        for (int i = 0; i < pixelCount; i++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                pixels[(i * c) + ch] = pixels[(i * channelsWithAlpha) + ch];
            }
        }
    }
}
