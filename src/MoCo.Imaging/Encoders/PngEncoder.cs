using System.Buffers.Binary;
using System.IO.Compression;

namespace MoCo.Imaging.Encoders;

/// <summary>
/// Writes 8-bit gray or RGB pixels as a PNG file in memory (PNG spec, W3C 2003): signature, IHDR, one IDAT of the
/// zlib-compressed scanlines (filter 0 on every line), IEND; each chunk with its CRC-32. Managed, no native library:
/// used to hand in-memory images (IDX data) to consumers that take encoded images.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Encodes an image.</summary>
    public static byte[] Encode(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Encode(image.Pixels, image.Width, image.Height, image.Channels);
    }

    /// <summary>Encodes HWC pixels (<paramref name="height"/> rows of <paramref name="width"/> × <paramref name="channels"/> bytes).</summary>
    /// <param name="pixels">Row-major, channels interleaved.</param>
    /// <param name="width">At least 1.</param>
    /// <param name="height">At least 1.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (gray) or 3 (RGB).");
        }

        var stride = width * channels;
        if (pixels.Length < (long)stride * height)
        {
            throw new ArgumentException($"{pixels.Length} bytes for a {width}x{height}x{channels} image.", nameof(pixels));
        }

        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter type None
                zlib.Write(pixels.Slice(y * stride, stride));
            }
        }

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;                               // bit depth
        header[9] = (byte)(channels == 1 ? 0 : 2);  // colour type: gray or truecolour
        header[10] = header[11] = header[12] = 0;   // deflate, adaptive filtering, no interlace
        using var file = new MemoryStream();
        file.Write(Signature);
        Chunk(file, "IHDR"u8, header);
        Chunk(file, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        Chunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    private static void Chunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    /// <summary>CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), as the PNG spec's sample code.</summary>
    private static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
