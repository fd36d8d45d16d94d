using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace MoCo.Extraction.Store;

/// <summary>
/// NumPy <c>.npy</c> feature files (format 1.0): little-endian float32, shape (rows, D), C order; a row's path and
/// label are in the manifest (<c>images.shard</c>, <c>images.row</c>).
/// </summary>
internal sealed class NpyFeatureWriter : IFeatureFileWriter
{
    public string Extension => ".npy";

    public void Write(Stream output, FeaturePart part)
    {
        output.Write(Header(part.Rows, part.Dimension));
        var bytes = MemoryMarshal.AsBytes(part.Features);
        if (BitConverter.IsLittleEndian)
        {
            output.Write(bytes);
            return;
        }

        var swapped = bytes.ToArray();
        for (var i = 0; i < swapped.Length; i += 4)
        {
            Array.Reverse(swapped, i, 4);
        }

        output.Write(swapped);
    }

    /// <summary>
    /// The format's preamble: magic <c>\x93NUMPY</c>, version 1.0, a little-endian uint16 header length, then the
    /// header dict padded with spaces and a newline so that the data starts at a multiple of 64 bytes (NEP 1).
    /// </summary>
    internal static byte[] Header(int rows, int dimension)
    {
        var dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dimension}), }}");
        const int Preamble = 10;
        var total = (Preamble + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - Preamble - 1) + "\n";
        var result = new byte[total];
        result[0] = 0x93;
        "NUMPY"u8.CopyTo(result.AsSpan(1));
        result[6] = 1;
        result[7] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8, 2), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, result.AsSpan(Preamble));
        return result;
    }
}
