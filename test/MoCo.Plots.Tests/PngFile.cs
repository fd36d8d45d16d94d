using System.Buffers.Binary;
using System.IO.Compression;

namespace MoCo.Plots.Tests;

/// <summary>A PNG checked against the format (PNG spec, ISO/IEC 15948): signature, chunk CRCs, IHDR first and IEND last,
/// and IDAT that inflates to exactly height × (1 + width × bytes per pixel) bytes with valid row filters.</summary>
internal static class PngFile
{
    internal static (int width, int height) Check(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.That(png.Take(8), Is.EqualTo(signature), "PNG signature");
        int offset = 8, width = 0, height = 0, bytesPerPixel = 0;
        var idat = new MemoryStream();
        var types = new List<string>();
        while (offset < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Assert.That(crc, Is.EqualTo(Crc32(png.AsSpan(offset + 4, 4 + length))), $"CRC of chunk {type}");
            types.Add(type);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.That(data[8], Is.EqualTo(8), "bit depth");
                bytesPerPixel = data[9] switch { 6 => 4, 2 => 3, 0 => 1, 4 => 2, _ => throw new AssertionException($"colour type {data[9]}") };
            }
            if (type == "IDAT") idat.Write(data);
            offset += 12 + length;
        }
        Assert.That(offset, Is.EqualTo(png.Length));
        Assert.That(types[0], Is.EqualTo("IHDR"));
        Assert.That(types[^1], Is.EqualTo("IEND"));
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(inflated);
        byte[] raw = inflated.ToArray();
        int stride = 1 + width * bytesPerPixel;
        Assert.That(raw, Has.Length.EqualTo(height * stride), "inflated image data");
        for (int y = 0; y < height; y++) Assert.That(raw[y * stride], Is.LessThanOrEqualTo(4), $"filter byte of row {y}");
        return (width, height);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        // The PNG spec's CRC-32 (polynomial 0xEDB88320), bit by bit.
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }
}
