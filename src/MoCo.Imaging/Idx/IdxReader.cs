using System.Buffers.Binary;
using System.IO.Compression;

namespace MoCo.Imaging.Idx;

/// <summary>
/// Reads IDX files (LeCun's MNIST format, also Fashion-MNIST's), plain or gzipped (detected by the
/// gzip magic 1f 8b, not the extension). Header: two zero bytes, a type byte (0x08 = unsigned byte,
/// the only one MNIST-style data uses), the number of dimensions, then each dimension as a big-endian int32.
/// </summary>
public static class IdxReader
{
    private const int MaxDimensions = 4;

    /// <summary>Reads an image file (magic 0x00000803): N x rows x cols unsigned bytes.</summary>
    /// <param name="path">An idx3-ubyte file, optionally gzipped.</param>
    /// <returns>The image count, rows, columns and the pixels (N*rows*cols bytes, row-major).</returns>
    /// <exception cref="InvalidDataException">Wrong magic, or the data is not exactly as long as the header says.</exception>
    public static (int Count, int Rows, int Columns, byte[] Pixels) ReadImages(string path)
    {
        var (dims, data) = Read(path, expectedDimensions: 3);
        return (dims[0], dims[1], dims[2], data);
    }

    /// <summary>Reads a label file (magic 0x00000801): N unsigned bytes.</summary>
    /// <param name="path">An idx1-ubyte file, optionally gzipped.</param>
    /// <exception cref="InvalidDataException">Wrong magic, or the data is not exactly as long as the header says.</exception>
    public static byte[] ReadLabels(string path) => Read(path, expectedDimensions: 1).Data;

    internal static (int[] Dimensions, byte[] Data) Read(string path, int expectedDimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        Stream stream = file;
        var magic = new byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (got == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            stream = new GZipStream(file, CompressionMode.Decompress);
        }

        using (stream)
        {
            try
            {
                return ReadStream(stream, path, expectedDimensions);
            }
            catch (InvalidDataException ex) when (!ex.Message.StartsWith("IDX file", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"IDX file '{path}': corrupt gzip stream ({ex.Message}).", ex);
            }
        }
    }

    private static (int[] Dimensions, byte[] Data) ReadStream(Stream stream, string path, int expectedDimensions)
    {
        Span<byte> header = stackalloc byte[4];
        if (stream.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidDataException($"IDX file '{path}' is shorter than its 4-byte magic number.");
        }

        uint expectedMagic = 0x0800u | (uint)expectedDimensions;
        uint magicNumber = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (magicNumber != expectedMagic)
        {
            throw new InvalidDataException($"IDX file '{path}': magic number 0x{magicNumber:X8}, expected 0x{expectedMagic:X8} (unsigned bytes, {expectedDimensions} dimension(s)).");
        }

        Span<byte> dimBytes = stackalloc byte[4 * MaxDimensions];
        if (stream.ReadAtLeast(dimBytes[..(4 * expectedDimensions)], 4 * expectedDimensions, throwOnEndOfStream: false) < 4 * expectedDimensions)
        {
            throw new InvalidDataException($"IDX file '{path}' ends inside its header.");
        }

        var dims = new int[expectedDimensions];
        long total = 1;
        for (int i = 0; i < expectedDimensions; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes[(4 * i)..]);
            total *= dims[i];
            if (dims[i] < 0 || total > Array.MaxLength)
            {
                throw new InvalidDataException($"IDX file '{path}': absurd dimensions {string.Join('x', dims[..(i + 1)])}.");
            }
        }

        var data = new byte[total];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
        {
            throw new InvalidDataException($"IDX file '{path}' is truncated: header says {string.Join('x', dims)} = {total} bytes, found {read}.");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new InvalidDataException($"IDX file '{path}' has data past the {string.Join('x', dims)} its header announces.");
        }

        return (dims, data);
    }
}
