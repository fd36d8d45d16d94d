namespace MoCo.Imaging.Transforms;

/// <summary>
/// Pillow 9.4's colour arithmetic (ImageEnhance over libImaging/Blend.c, Convert.c's HSV rows), in
/// place on 8-bit HWC pixels, so torchvision's PIL-path ColorJitter results are reproduced exactly.
/// </summary>
internal static class PillowColor
{
    /// <summary>Blend.c: out = in1 + alpha * (in2 - in1) in float32, truncated; clipped only when alpha lies outside [0, 1].</summary>
    private static byte Blend(int degenerate, int value, float alpha)
    {
        float t = degenerate + (alpha * (value - degenerate));
        if (alpha is >= 0 and <= 1)
        {
            return (byte)t;
        }

        return t <= 0 ? (byte)0 : t >= 255 ? (byte)255 : (byte)t;
    }

    /// <summary>ImageEnhance.Brightness: blend with black.</summary>
    internal static void Brightness(Span<byte> px, float factor)
    {
        for (int i = 0; i < px.Length; i++)
        {
            px[i] = Blend(0, px[i], factor);
        }
    }

    /// <summary>ImageEnhance.Contrast: blend with the mean gray level, int(mean(convert('L')) + 0.5).</summary>
    internal static void Contrast(Span<byte> px, int channels, float factor)
    {
        int n = px.Length / channels;
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += channels == 1 ? px[i] : Luma(px[3 * i], px[(3 * i) + 1], px[(3 * i) + 2]);
        }

        int mean = (int)(((double)sum / n) + 0.5);
        for (int i = 0; i < px.Length; i++)
        {
            px[i] = Blend(mean, px[i], factor);
        }
    }

    /// <summary>ImageEnhance.Color: blend with convert('L') replicated; a no-op on gray images.</summary>
    internal static void Saturation(Span<byte> px, int channels, float factor)
    {
        if (channels == 1)
        {
            return;
        }

        for (int i = 0; i < px.Length; i += 3)
        {
            int l = Luma(px[i], px[i + 1], px[i + 2]);
            px[i] = Blend(l, px[i], factor);
            px[i + 1] = Blend(l, px[i + 1], factor);
            px[i + 2] = Blend(l, px[i + 2], factor);
        }
    }

    /// <summary>
    /// torchvision's PIL adjust_hue: convert('HSV'), h += uint8(factor * 255) with uint8 wrap-around,
    /// convert back. Gray images are returned unchanged (as torchvision does).
    /// </summary>
    internal static void Hue(Span<byte> px, int channels, float factor)
    {
        if (channels == 1)
        {
            return;
        }

        // np.uint8(x) of a float: truncate toward zero, then wrap modulo 256.
        byte shift = unchecked((byte)(int)(factor * 255.0));
        for (int i = 0; i < px.Length; i += 3)
        {
            RgbToHsv(px[i], px[i + 1], px[i + 2], out byte h, out byte s, out byte v);
            HsvToRgb(unchecked((byte)(h + shift)), s, v, px.Slice(i, 3));
        }
    }

    /// <summary>PIL's convert('L') luma (Convert.c L24).</summary>
    internal static int Luma(int r, int g, int b) => ((r * 19595) + (g * 38470) + (b * 7471) + 0x8000) >> 16;

    /// <summary>Convert.c rgb2hsv_row (after colorsys), float32 where Pillow uses float and double where C promotes: one ulp decides h at x.5 boundaries.</summary>
    internal static void RgbToHsv(byte r, byte g, byte b, out byte h, out byte s, out byte v)
    {
        byte maxc = Math.Max(r, Math.Max(g, b));
        byte minc = Math.Min(r, Math.Min(g, b));
        v = maxc;
        if (minc == maxc)
        {
            h = 0;
            s = 0;
            return;
        }

        float cr = maxc - minc;
        float sf = cr / maxc;
        float rc = (maxc - r) / cr;
        float gc = (maxc - g) / cr;
        float bc = (maxc - b) / cr;
        // C evaluates "2.0 + rc - bc" in double (2.0 is a double literal) and "bc - gc" in float.
        float hf = r == maxc ? bc - gc : g == maxc ? (float)(2.0 + rc - bc) : (float)(4.0 + gc - rc);
        hf = (float)(((hf / 6.0) + 1.0) % 1.0);
        h = Clip8((int)(hf * 255.0));
        s = Clip8((int)(sf * 255.0));
    }

    /// <summary>Convert.c hsv2rgb.</summary>
    internal static void HsvToRgb(byte h, byte s, byte v, Span<byte> rgb)
    {
        if (s == 0)
        {
            rgb[0] = rgb[1] = rgb[2] = v;
            return;
        }

        int i = (int)Math.Floor(h * 6.0 / 255.0);
        float f = (float)((h * 6.0 / 255.0) - i);
        float fs = (float)(s / 255.0);
        byte p = Clip8((int)Math.Round(v * (1.0 - fs), MidpointRounding.AwayFromZero));
        byte q = Clip8((int)Math.Round(v * (1.0 - (fs * f)), MidpointRounding.AwayFromZero)); // fs * f: float * float in C
        byte t = Clip8((int)Math.Round(v * (1.0 - (fs * (1.0 - f))), MidpointRounding.AwayFromZero));
        (rgb[0], rgb[1], rgb[2]) = (i % 6) switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    private static byte Clip8(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
