using System.Buffers.Binary;
using System.Diagnostics;

namespace MoCo.Extraction.Tests.Support;

/// <summary>Files an extraction job must survive: broken ones (to be recorded as failed) and odd but valid ones.</summary>
internal static class OddFiles
{
    /// <summary>The first 200 bytes of a JPEG.</summary>
    public static void Truncated(string path, string validJpeg) => File.WriteAllBytes(path, File.ReadAllBytes(validJpeg)[..200]);

    /// <summary>Text with an image's extension.</summary>
    public static void NotAnImage(string path) => File.WriteAllText(path, "not an image");

    /// <summary>A PNG whose header claims 40,000 × 40,000 pixels (over the decoder's pixel limit), CRC fixed so only the size is wrong.</summary>
    public static void Huge(string path, string validPng)
    {
        var bytes = File.ReadAllBytes(validPng);
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), … , CRC over type + data at 29.
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 40_000);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), 40_000);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A CMYK JPEG and a 16-bit gray PNG, written by PIL (readable: PIL opens both).</summary>
    public static void CmykAndSixteenBit(string cmykJpeg, string gray16Png)
    {
        const string Script = """
            import sys
            import numpy as np
            from PIL import Image
            y, x = np.mgrid[0:37, 0:45]
            rgb = np.stack([(x * 5) % 256, (y * 7) % 256, ((x + y) * 3) % 256], axis=-1).astype(np.uint8)
            Image.fromarray(rgb).convert('CMYK').save(sys.argv[1], quality=92)
            Image.fromarray(((x * 1400 + y * 300) % 65536).astype(np.uint16)).save(sys.argv[2])
            assert Image.open(sys.argv[2]).mode.startswith('I'), Image.open(sys.argv[2]).mode
            """;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true };
        foreach (var arg in new[] { "-c", Script, cmykJpeg, gray16Png })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), errors);
    }

    /// <summary>CRC-32 as PNG defines it (ISO 3309, reflected polynomial 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
