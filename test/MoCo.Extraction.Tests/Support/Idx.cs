using System.Buffers.Binary;
using System.IO.Compression;

namespace MoCo.Extraction.Tests.Support;

/// <summary>Writes IDX files (LeCun's format: big-endian magic 0x00000803 / 0x00000801 and sizes), gzipped.</summary>
internal static class Idx
{
    public static void Write(string folder, string prefix, byte[] pixels, int count, int rows, int cols, byte[] labels)
    {
        WriteGz(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), 0x0803, [count, rows, cols], pixels);
        WriteGz(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), 0x0801, [count], labels);
    }

    private static void WriteGz(string path, int magic, int[] dims, byte[] data)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        gz.Write(word);
        foreach (var d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            gz.Write(word);
        }

        gz.Write(data);
    }
}
