using System.Buffers.Binary;

namespace MoCo.Extraction.Tests.Reading.ParquetPages;

/// <summary>
/// Writes Parquet pages by hand for the page reader's tests, from the format's documents alone (parquet.thrift's
/// PageHeader, Encodings.md's RLE / bit-packing hybrid, Thrift's compact protocol), sharing no code with the reader:
/// so that layouts Parquet.Net's writer never makes (v2 pages, several pages, bit-packed levels, extra header fields)
/// are tested too.
/// </summary>
internal static class PageBytes
{
    /// <summary>Levels in the hybrid encoding: RLE runs where a value repeats at least <paramref name="minRun"/> times, else bit-packed groups of 8.</summary>
    public static byte[] Hybrid(IReadOnlyList<int> levels, int bitWidth, int minRun = 8)
    {
        var output = new List<byte>();
        var i = 0;
        while (i < levels.Count)
        {
            var run = 1;
            while (i + run < levels.Count && levels[i + run] == levels[i])
            {
                run++;
            }

            if (run >= minRun)
            {
                Varint(output, (ulong)run << 1);
                for (var b = 0; b < (bitWidth + 7) / 8; b++)
                {
                    output.Add((byte)(levels[i] >> (8 * b)));
                }

                i += run;
                continue;
            }

            // One bit-packed group of 8 (the last one padded with zeros), least significant bit first.
            Varint(output, (1UL << 1) | 1);
            var bits = new byte[bitWidth];
            for (var k = 0; k < 8 && i + k < levels.Count; k++)
            {
                for (var b = 0; b < bitWidth; b++)
                {
                    var bit = (k * bitWidth) + b;
                    bits[bit / 8] |= (byte)(((levels[i + k] >> b) & 1) << (bit % 8));
                }
            }

            output.AddRange(bits);
            i += Math.Min(8, levels.Count - i);
        }

        return [.. output];
    }

    /// <summary>The repetition levels of <paramref name="count"/> values from column value <paramref name="first"/> on, rows of <paramref name="dimension"/>.</summary>
    public static int[] Repetition(long first, int count, int dimension) =>
        Enumerable.Range(0, count).Select(i => (first + i) % dimension == 0 ? 0 : 1).ToArray();

    public static byte[] LengthPrefixed(byte[] data)
    {
        var output = new byte[4 + data.Length];
        BinaryPrimitives.WriteInt32LittleEndian(output, data.Length);
        data.CopyTo(output, 4);
        return output;
    }

    public static byte[] Floats(ReadOnlySpan<float> values)
    {
        var output = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(output.AsSpan(4 * i), values[i]);
        }

        return output;
    }

    /// <summary>A v1 data page header (with a statistics struct and a CRC, which a reader must pass over).</summary>
    public static byte[] V1Header(int uncompressed, int compressed, int values, int encoding = 0, int levelEncoding = 3, int type = 0)
    {
        var w = new CompactWriter();
        w.I32(1, type);
        w.I32(2, uncompressed);
        w.I32(3, compressed);
        w.I32(4, 12345);                   // crc
        w.BeginStruct(5);                  // data_page_header
        w.I32(1, values);
        w.I32(2, encoding);
        w.I32(3, levelEncoding);
        w.I32(4, levelEncoding);
        w.BeginStruct(5);                  // statistics: max, min (binary), null_count (i64), is_max_value_exact (bool)
        w.Binary(1, [1, 2, 3, 4]);
        w.Binary(2, [5, 6, 7, 8]);
        w.I64(3, 0);
        w.Bool(7, true);
        w.EndStruct();
        w.EndStruct();
        w.Stop();
        return w.Bytes;
    }

    /// <summary>A v2 data page header.</summary>
    public static byte[] V2Header(int uncompressed, int compressed, int values, int rows, int definitionBytes, int repetitionBytes, bool? isCompressed, int nulls = 0)
    {
        var w = new CompactWriter();
        w.I32(1, 3);
        w.I32(2, uncompressed);
        w.I32(3, compressed);
        w.BeginStruct(8);
        w.I32(1, values);
        w.I32(2, nulls);
        w.I32(3, rows);
        w.I32(4, 0);
        w.I32(5, definitionBytes);
        w.I32(6, repetitionBytes);
        if (isCompressed is bool c)
        {
            w.Bool(7, c);
        }

        w.EndStruct();
        w.Stop();
        return w.Bytes;
    }

    /// <summary>A dictionary page header (a chunk the page reader must decline).</summary>
    public static byte[] DictionaryHeader(int size, int values)
    {
        var w = new CompactWriter();
        w.I32(1, 2);
        w.I32(2, size);
        w.I32(3, size);
        w.BeginStruct(7);
        w.I32(1, values);
        w.I32(2, 0);
        w.EndStruct();
        w.Stop();
        return w.Bytes;
    }

    private static void Varint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }

    /// <summary>Thrift's compact protocol, writing side, as much as the headers above need.</summary>
    private sealed class CompactWriter
    {
        private readonly List<byte> _bytes = [];
        private readonly Stack<short> _last = new([0]);

        public byte[] Bytes => [.. _bytes];

        public void I32(short id, int value)
        {
            Field(id, 5);
            Varint(_bytes, ZigZag(value));
        }

        public void I64(short id, long value)
        {
            Field(id, 6);
            Varint(_bytes, ZigZag(value));
        }

        public void Binary(short id, byte[] value)
        {
            Field(id, 8);
            Varint(_bytes, (ulong)value.Length);
            _bytes.AddRange(value);
        }

        public void Bool(short id, bool value) => Field(id, value ? (byte)1 : (byte)2);

        public void BeginStruct(short id)
        {
            Field(id, 12);
            _last.Push(0);
        }

        public void EndStruct()
        {
            Stop();
            _last.Pop();
        }

        public void Stop() => _bytes.Add(0);

        private void Field(short id, byte type)
        {
            var delta = id - _last.Peek();
            if (delta is > 0 and <= 15)
            {
                _bytes.Add((byte)((delta << 4) | type));
            }
            else
            {
                _bytes.Add(type);
                Varint(_bytes, ZigZag(id));
            }

            _last.Pop();
            _last.Push(id);
        }

        private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));
    }
}
