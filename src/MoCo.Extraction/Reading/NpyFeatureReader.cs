using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MoCo.Extraction.Reading;

/// <summary>
/// A store's <c>.npy</c> feature file (format 1.0 or 2.0, <c>&lt;f4</c>, C order, shape (rows, D)): the header is checked,
/// then rows are read straight from the file at <c>data offset + row·D·4</c>, so any slice costs only its own bytes.
/// </summary>
internal sealed partial class NpyFeatureReader : IFeatureFileReader
{
    private readonly FileStream _file;
    private readonly long _dataOffset;
    private readonly int _dimension;

    public NpyFeatureReader(string path, int expectedRows, int dimension)
    {
        _dimension = dimension;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            (_dataOffset, var rows, var columns) = ReadHeader(_file, path);
            if (rows != expectedRows || columns != dimension)
            {
                throw new InvalidDataException($"{path}: shape ({rows}, {columns}); the manifest expects ({expectedRows}, {dimension}).");
            }

            if (_file.Length < _dataOffset + ((long)rows * columns * sizeof(float)))
            {
                throw new InvalidDataException($"{path}: {_file.Length} bytes, too short for ({rows}, {columns}) float32 values.");
            }

            Rows = rows;
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    public int Rows { get; }

    public void Read(int start, Span<float> destination)
    {
        _file.Position = _dataOffset + ((long)start * _dimension * sizeof(float));
        var bytes = MemoryMarshal.AsBytes(destination);
        _file.ReadExactly(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            }
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Magic <c>\x93NUMPY</c>, major.minor, header length (uint16 in 1.0, uint32 in 2.0), then the header dict (NEP 1).</summary>
    internal static (long DataOffset, int Rows, int Columns) ReadHeader(Stream stream, string path)
    {
        Span<byte> preamble = stackalloc byte[12];
        stream.ReadExactly(preamble[..8]);
        if (preamble[0] != 0x93 || !preamble.Slice(1, 5).SequenceEqual("NUMPY"u8) || preamble[6] is not (1 or 2))
        {
            throw new InvalidDataException($"{path}: not a .npy file of version 1 or 2.");
        }

        int headerLength, preambleLength;
        if (preamble[6] == 1)
        {
            stream.ReadExactly(preamble.Slice(8, 2));
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(preamble.Slice(8, 2));
            preambleLength = 10;
        }
        else
        {
            stream.ReadExactly(preamble.Slice(8, 4));
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(preamble.Slice(8, 4)));
            preambleLength = 12;
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var text = Encoding.ASCII.GetString(header);
        var match = HeaderPattern().Match(text);
        if (!match.Success)
        {
            throw new InvalidDataException($"{path}: the .npy header {text.Trim()} is not little-endian float32, C order, two dimensions.");
        }

        return (preambleLength + headerLength,
            int.Parse(match.Groups["rows"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["columns"].Value, CultureInfo.InvariantCulture));
    }

    // The dict's keys may come in any order (NumPy writes descr, fortran_order, shape).
    [GeneratedRegex(@"^\{(?=.*'descr':\s*'<f4')(?=.*'fortran_order':\s*False)(?=.*'shape':\s*\((?<rows>\d+),\s*(?<columns>\d+)\)).*\}\s*$", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();
}
