namespace MoCo.Extraction.Reading.ParquetPages;

/// <summary>Parquet's page types (parquet.thrift, <c>enum PageType</c>).</summary>
internal enum PageType
{
    DataPage = 0,
    IndexPage = 1,
    DictionaryPage = 2,
    DataPageV2 = 3,
}

/// <summary>
/// What a page reader needs of a Parquet <c>PageHeader</c> (parquet.thrift): sizes, and of a data page (v1 or v2) its
/// value count and encodings; for v2 also the byte lengths of its uncompressed level sections. Other fields are skipped.
/// </summary>
internal readonly record struct PageHeader(
    PageType Type,
    int UncompressedSize,
    int CompressedSize,
    int Values,
    int Nulls,
    int Encoding,
    int DefinitionEncoding,
    int RepetitionEncoding,
    int DefinitionBytes,
    int RepetitionBytes,
    bool Compressed)
{
    /// <summary>Parquet's <c>Encoding.PLAIN</c>.</summary>
    public const int Plain = 0;

    /// <summary>Parquet's <c>Encoding.RLE</c> (the RLE / bit-packing hybrid, for levels).</summary>
    public const int Rle = 3;

    /// <summary>Reads a header from the start of <paramref name="data"/>; <paramref name="length"/> is its size in bytes.</summary>
    /// <exception cref="InvalidDataException">Truncated, corrupt, or lacking a required field.</exception>
    public static PageHeader Read(ReadOnlySpan<byte> data, out int length)
    {
        var thrift = new ThriftCompactReader(data);
        int? type = null, uncompressed = null, compressed = null;
        int values = -1, nulls = 0, encoding = -1, definitionEncoding = Rle, repetitionEncoding = Rle, definitionBytes = 0, repetitionBytes = 0;
        var isCompressed = true;
        short last = 0;
        while (true)
        {
            var (id, fieldType) = thrift.ReadFieldHeader(ref last);
            if (fieldType == ThriftCompactReader.Stop)
            {
                break;
            }

            switch (id)
            {
                case 1 when fieldType == ThriftCompactReader.I32:
                    type = thrift.ReadI32();
                    break;
                case 2 when fieldType == ThriftCompactReader.I32:
                    uncompressed = thrift.ReadI32();
                    break;
                case 3 when fieldType == ThriftCompactReader.I32:
                    compressed = thrift.ReadI32();
                    break;
                case 5 when fieldType == ThriftCompactReader.Struct:
                    ReadStruct(ref thrift, (ref ThriftCompactReader t, short field, byte ft) =>
                    {
                        switch (field)
                        {
                            case 1 when ft == ThriftCompactReader.I32: values = t.ReadI32(); return true;
                            case 2 when ft == ThriftCompactReader.I32: encoding = t.ReadI32(); return true;
                            case 3 when ft == ThriftCompactReader.I32: definitionEncoding = t.ReadI32(); return true;
                            case 4 when ft == ThriftCompactReader.I32: repetitionEncoding = t.ReadI32(); return true;
                            default: return false;
                        }
                    });
                    break;
                case 8 when fieldType == ThriftCompactReader.Struct:
                    ReadStruct(ref thrift, (ref ThriftCompactReader t, short field, byte ft) =>
                    {
                        switch (field)
                        {
                            case 1 when ft == ThriftCompactReader.I32: values = t.ReadI32(); return true;
                            case 2 when ft == ThriftCompactReader.I32: nulls = t.ReadI32(); return true;
                            case 4 when ft == ThriftCompactReader.I32: encoding = t.ReadI32(); return true;
                            case 5 when ft == ThriftCompactReader.I32: definitionBytes = t.ReadI32(); return true;
                            case 6 when ft == ThriftCompactReader.I32: repetitionBytes = t.ReadI32(); return true;
                            case 7 when ft is ThriftCompactReader.BooleanTrue or ThriftCompactReader.BooleanFalse:
                                isCompressed = ft == ThriftCompactReader.BooleanTrue;
                                return true;
                            default: return false;
                        }
                    });
                    break;
                default:
                    thrift.Skip(fieldType);
                    break;
            }
        }

        length = thrift.Position;
        if (type is null || uncompressed is not >= 0 || compressed is not >= 0)
        {
            throw new InvalidDataException("Parquet page header: lacks its type or sizes.");
        }

        var pageType = (PageType)type.Value;
        if (pageType is PageType.DataPage or PageType.DataPageV2 && values < 0)
        {
            throw new InvalidDataException($"Parquet page header: a {pageType} without its value count.");
        }

        return new PageHeader(pageType, uncompressed.Value, compressed.Value, values, nulls, encoding, definitionEncoding, repetitionEncoding,
            definitionBytes, repetitionBytes, isCompressed);
    }

    private delegate bool FieldReader(ref ThriftCompactReader thrift, short id, byte type);

    /// <summary>Reads a nested struct's fields with <paramref name="read"/>; the fields it does not take are skipped.</summary>
    private static void ReadStruct(ref ThriftCompactReader thrift, FieldReader read)
    {
        short last = 0;
        while (true)
        {
            var (id, type) = thrift.ReadFieldHeader(ref last);
            if (type == ThriftCompactReader.Stop)
            {
                return;
            }

            if (!read(ref thrift, id, type))
            {
                thrift.Skip(type);
            }
        }
    }
}
