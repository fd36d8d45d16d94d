namespace MoCo.Extraction.Reading.ParquetPages;

/// <summary>
/// Checks the Dremel levels of a column of lists of exactly D values each, every value defined, as they lie in a page
/// (the RLE / bit-packing hybrid of parquet-format's Encodings.md), without expanding them to one int per value: an RLE
/// run is checked as a whole, a bit-packed run value by value. Expected: repetition level 0 at each row's first value
/// and 1 at the others; definition level at its maximum everywhere.
/// </summary>
internal static class ListLevels
{
    /// <summary>Whether <paramref name="count"/> repetition levels (bit width 1), the first at value index <paramref name="first"/> of the column, start a new row exactly every <paramref name="dimension"/> values.</summary>
    public static bool RepetitionIsEvery(ReadOnlySpan<byte> encoded, long first, int count, int dimension) =>
        Walk(encoded, bitWidth: 1, first, count, dimension, definition: -1);

    /// <summary>Whether all <paramref name="count"/> definition levels equal <paramref name="maxLevel"/>.</summary>
    public static bool DefinitionIsEverywhere(ReadOnlySpan<byte> encoded, int maxLevel, int count) =>
        Walk(encoded, BitWidth(maxLevel), 0, count, 1, maxLevel);

    /// <summary>Bits per level for levels 0..<paramref name="maxLevel"/>.</summary>
    public static int BitWidth(int maxLevel) => 32 - int.LeadingZeroCount(maxLevel);

    // definition >= 0: every level must be that value; -1: repetition levels of rows of `dimension` values.
    private static bool Walk(ReadOnlySpan<byte> data, int bitWidth, long first, int count, int dimension, int definition)
    {
        var at = 0;
        var index = first;
        var end = first + count;
        var valueBytes = (bitWidth + 7) / 8;
        while (index < end)
        {
            if (!TryReadVarint(data, ref at, out var header))
            {
                return false;
            }

            if ((header & 1) == 0)
            {
                // RLE run: header >> 1 copies of one value, in valueBytes little-endian bytes.
                var run = (long)(header >> 1);
                if (run == 0 || valueBytes > data.Length - at)
                {
                    return false;
                }

                var value = 0;
                for (var b = 0; b < valueBytes; b++)
                {
                    value |= data[at + b] << (8 * b);
                }

                at += valueBytes;
                var n = Math.Min(run, end - index);
                if (!(definition >= 0 ? value == definition : RepetitionRunFits(value, index, n, dimension)))
                {
                    return false;
                }

                index += n;
            }
            else
            {
                // Bit-packed run: (header >> 1) groups of 8 values, bitWidth bits each, least significant bit first.
                var groups = header >> 1;
                if (groups == 0 || groups > (ulong)(data.Length - at) / (ulong)bitWidth)
                {
                    return false;
                }

                var bytes = (int)groups * bitWidth;
                var packed = data.Slice(at, bytes);
                at += bytes;
                var n = (int)Math.Min((long)groups * 8, end - index);
                for (var i = 0; i < n; i++, index++)
                {
                    var expected = definition >= 0 ? definition : index % dimension == 0 ? 0 : 1;
                    if (Unpack(packed, i, bitWidth) != expected)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    // Repetition levels at indices index..index+n-1 all equal `value`: 0 only at row starts, 1 only inside rows.
    private static bool RepetitionRunFits(int value, long index, long n, int dimension)
    {
        var column = index % dimension;
        return value switch
        {
            0 => dimension == 1 || (n == 1 && column == 0),
            1 => column != 0 && column + n <= dimension,
            _ => false,
        };
    }

    // The i-th value of a bit-packed run: bit b of a value is bit (i·bitWidth + b) of the run, counted from byte 0's lowest bit.
    private static int Unpack(ReadOnlySpan<byte> packed, int i, int bitWidth)
    {
        var value = 0;
        for (var b = 0; b < bitWidth; b++)
        {
            var bit = (i * bitWidth) + b;
            value |= ((packed[bit >> 3] >> (bit & 7)) & 1) << b;
        }

        return value;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < data.Length; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
