using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>
    /// RGBA to RGB into a separate buffer (<paramref name="rgb"/> holds 3/4 of <paramref name="rgba"/>'s bytes): alpha
    /// dropped without compositing, as PIL's <c>convert('RGB')</c>. SSSE3 moves 4 pixels per shuffle.
    /// </summary>
    internal static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        int n = rgba.Length / 4;
        if (rgb.Length < 3 * n)
        {
            throw new ArgumentException($"RGB buffer of {rgb.Length} bytes is too small for {n} pixels.", nameof(rgb));
        }

        int i = 0;
        if (Ssse3.IsSupported && n >= 6)
        {
            var pick = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
            ref byte src = ref MemoryMarshal.GetReference(rgba);
            ref byte dst = ref MemoryMarshal.GetReference(rgb);

            // Each step writes 16 bytes of which 12 are kept, so it stops while 16 bytes still fit in the output.
            for (; (3 * i) + 16 <= 3 * n; i += 4)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)(4 * i));
                Ssse3.Shuffle(v, pick).StoreUnsafe(ref dst, (nuint)(3 * i));
            }
        }

        for (; i < n; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[(3 * i) + 1] = rgba[(4 * i) + 1];
            rgb[(3 * i) + 2] = rgba[(4 * i) + 2];
        }
    }

    /// <summary>RGBA whose R = G = B (a gray PNG with alpha, as Skia expands it) to gray: R kept, alpha dropped.</summary>
    internal static void RgbaToGray(ReadOnlySpan<byte> rgba, Span<byte> gray)
    {
        for (int i = 0; i < gray.Length; i++)
        {
            gray[i] = rgba[4 * i];
        }
    }
}
