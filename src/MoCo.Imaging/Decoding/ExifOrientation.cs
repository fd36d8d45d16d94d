using System.Buffers.Binary;

namespace MoCo.Imaging.Decoding;

/// <summary>
/// Reads the orientation tag (0x0112) from a JPEG's APP1 "Exif" block and applies it as PIL's
/// <c>ImageOps.exif_transpose</c> does. Format: TIFF 6.0 header and IFD0 inside APP1 (Exif 2.3, section 4.5.4).
/// </summary>
internal static class ExifOrientation
{
    private const ushort OrientationTag = 0x0112;

    /// <summary>The orientation 1..8 stored in the JPEG, or 1 when there is none or it cannot be read.</summary>
    internal static int Read(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            return 1;
        }

        int pos = 2;
        while (pos + 4 <= jpeg.Length)
        {
            if (jpeg[pos] != 0xFF)
            {
                return 1;
            }

            byte marker = jpeg[pos + 1];
            if (marker == 0xFF)
            {
                pos++; // fill byte
                continue;
            }

            if (marker is 0xDA or 0xD9)
            {
                return 1; // start of scan / end of image: no Exif before the data
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > jpeg.Length)
            {
                return 1;
            }

            var segment = jpeg.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && segment.Length > 6 && segment[..6].SequenceEqual("Exif\0\0"u8))
            {
                return ReadTiff(segment[6..]);
            }

            pos += 2 + length;
        }

        return 1;
    }

    private static int ReadTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff[0] == (byte)'I' && tiff[1] == (byte)'I')
        {
            little = true;
        }
        else if (tiff[0] == (byte)'M' && tiff[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            return 1;
        }

        if (U16(tiff, 2, little) != 42)
        {
            return 1;
        }

        uint ifd = U32(tiff, 4, little);
        if (ifd > (uint)(tiff.Length - 2))
        {
            return 1;
        }

        int count = U16(tiff, (int)ifd, little);
        for (int i = 0; i < count; i++)
        {
            int entry = (int)ifd + 2 + (12 * i);
            if (entry + 12 > tiff.Length)
            {
                return 1;
            }

            if (U16(tiff, entry, little) == OrientationTag)
            {
                int value = U16(tiff, entry + 2, little) == 3 ? U16(tiff, entry + 8, little) : 1; // type 3 = SHORT, value inline
                return value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);

    /// <summary>
    /// Returns <paramref name="image"/> turned upright for <paramref name="orientation"/>; a new image
    /// (and <paramref name="image"/> disposed) unless the orientation is 1.
    /// </summary>
    internal static DecodedImage Apply(DecodedImage image, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return image;
        }

        int w = image.Width, h = image.Height, c = image.Channels;
        bool swap = orientation >= 5;
        var result = new DecodedImage(swap ? h : w, swap ? w : h, c);
        try
        {
            int ow = result.Width, oh = result.Height;
            ReadOnlySpan<byte> src = image.Pixels;
            Span<byte> dst = result.Pixels;
            for (int y = 0; y < oh; y++)
            {
                for (int x = 0; x < ow; x++)
                {
                    // (sx, sy): the source pixel that lands at (x, y); the PIL transpose each orientation maps to.
                    (int sx, int sy) = orientation switch
                    {
                        2 => (w - 1 - x, y),         // FLIP_LEFT_RIGHT
                        3 => (w - 1 - x, h - 1 - y), // ROTATE_180
                        4 => (x, h - 1 - y),         // FLIP_TOP_BOTTOM
                        5 => (y, x),                 // TRANSPOSE
                        6 => (y, h - 1 - x),         // ROTATE_270
                        7 => (w - 1 - y, h - 1 - x), // TRANSVERSE
                        _ => (w - 1 - y, x),         // 8: ROTATE_90
                    };
                    src.Slice(((sy * w) + sx) * c, c).CopyTo(dst.Slice(((y * ow) + x) * c, c));
                }
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }

        image.Dispose();
        return result;
    }
}
