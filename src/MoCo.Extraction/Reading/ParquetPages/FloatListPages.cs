using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MoCo.Extraction.Reading.ParquetPages;

/// <summary>
/// Reads the values of a Parquet column chunk of float lists, D values per row, straight from its pages: each data
/// page (v1 or v2) is decompressed (Snappy, or none) into one reused buffer, its levels are checked where they lie
/// (<see cref="ListLevels"/>), and its PLAIN float32 values are copied out as bytes. This is what Parquet.Net's
/// general decoder does for such a column, less expanding two levels per value into ints and the copies between.
/// A chunk laid out in any other way (another codec, a dictionary, another value encoding) is declined, for the
/// caller's general decoder.
/// Format: parquet-format's parquet.thrift (PageHeader) and Encodings.md (PLAIN, RLE / bit-packing hybrid).
/// </summary>
internal static class FloatListPages
{
    /// <summary>Parquet's <c>CompressionCodec.UNCOMPRESSED</c>.</summary>
    public const int Uncompressed = 0;

    /// <summary>Parquet's <c>CompressionCodec.SNAPPY</c>.</summary>
    public const int Snappy = 1;

    /// <summary>Whether this reader takes chunks compressed with <paramref name="codec"/>.</summary>
    public static bool Supports(int codec) => codec is Uncompressed or Snappy;

    /// <summary>
    /// Decodes <paramref name="chunk"/> (the column chunk's bytes: its pages, each after its header) into
    /// <paramref name="destination"/> (all its values, row-major). Returns false, having checked nothing further,
    /// at the first page this reader does not take (a dictionary page, values not PLAIN, levels not RLE).
    /// </summary>
    /// <param name="chunk">The chunk's bytes.</param>
    /// <param name="codec">The chunk's codec (<see cref="Supports"/> must hold).</param>
    /// <param name="maxDefinitionLevel">The float field's maximum definition level (every value must have it).</param>
    /// <param name="dimension">Values per row.</param>
    /// <param name="destination">Exactly the chunk's value count.</param>
    /// <param name="page">The buffer for one decompressed page.</param>
    /// <exception cref="InvalidDataException">A page is corrupt, or its levels are not those of rows of D defined values, or the values are fewer or more than expected.</exception>
    public static bool TryRead(ReadOnlySpan<byte> chunk, int codec, int maxDefinitionLevel, int dimension, Span<float> destination, PageBuffer page)
    {
        if (!Supports(codec) || !BitConverter.IsLittleEndian)
        {
            return false;
        }

        var at = 0;
        var done = 0;
        while (done < destination.Length)
        {
            if (at >= chunk.Length)
            {
                throw new InvalidDataException($"the column chunk ends after {done} of its {destination.Length} values.");
            }

            var header = PageHeader.Read(chunk[at..], out var headerLength);
            at += headerLength;
            if (header.CompressedSize > chunk.Length - at)
            {
                throw new InvalidDataException($"a page of {header.CompressedSize} bytes runs past the column chunk's end.");
            }

            var body = chunk.Slice(at, header.CompressedSize);
            at += header.CompressedSize;
            switch (header.Type)
            {
                case PageType.DataPage or PageType.DataPageV2 when header.Encoding != PageHeader.Plain:
                    return false;
                case PageType.DataPage when header.DefinitionEncoding != PageHeader.Rle || header.RepetitionEncoding != PageHeader.Rle:
                    return false;
                case PageType.DataPage:
                    done += ReadV1(body, header, codec, maxDefinitionLevel, dimension, done, destination, page);
                    break;
                case PageType.DataPageV2:
                    done += ReadV2(body, header, codec, maxDefinitionLevel, dimension, done, destination, page);
                    break;
                case PageType.DictionaryPage:
                    return false;
                default:
                    break; // an index page: nothing to read here
            }
        }

        return true;
    }

    // v1: the whole page is compressed: [repetition levels: int32 length, runs] [definition levels: same] [values].
    private static int ReadV1(ReadOnlySpan<byte> body, in PageHeader header, int codec, int maxDefinition, int dimension, int done, Span<float> destination, PageBuffer page)
    {
        var data = Decompress(body, header.UncompressedSize, codec, page);
        var repetition = LengthPrefixed(ref data);
        var definition = LengthPrefixed(ref data);
        CopyValues(data, repetition, definition, header.Values, maxDefinition, dimension, done, destination);
        return header.Values;
    }

    // v2: [repetition levels] [definition levels] uncompressed, their lengths in the header; then the values, compressed
    // unless the header says otherwise.
    private static int ReadV2(ReadOnlySpan<byte> body, in PageHeader header, int codec, int maxDefinition, int dimension, int done, Span<float> destination, PageBuffer page)
    {
        if (header.Nulls != 0)
        {
            throw new InvalidDataException($"a page with {header.Nulls} null values; every feature value is defined.");
        }

        if (header.RepetitionBytes < 0 || header.DefinitionBytes < 0 || header.RepetitionBytes + header.DefinitionBytes > body.Length)
        {
            throw new InvalidDataException("a v2 page's level lengths run past the page.");
        }

        var repetition = body[..header.RepetitionBytes];
        var definition = body.Slice(header.RepetitionBytes, header.DefinitionBytes);
        var levels = header.RepetitionBytes + header.DefinitionBytes;
        var values = body[levels..];
        if (header.Compressed && codec != Uncompressed)
        {
            values = Decompress(values, header.UncompressedSize - levels, codec, page);
        }

        CopyValues(values, repetition, definition, header.Values, maxDefinition, dimension, done, destination);
        return header.Values;
    }

    private static void CopyValues(ReadOnlySpan<byte> values, ReadOnlySpan<byte> repetition, ReadOnlySpan<byte> definition, int count, int maxDefinition, int dimension,
        int done, Span<float> destination)
    {
        if (count < 0 || count > destination.Length - done)
        {
            throw new InvalidDataException($"a page of {count} values where {destination.Length - done} remain of the column chunk.");
        }

        if (!ListLevels.RepetitionIsEvery(repetition, done, count, dimension) || !ListLevels.DefinitionIsEverywhere(definition, maxDefinition, count))
        {
            throw new InvalidDataException($"the levels of values {done}..{done + count - 1} are not those of rows of {dimension} defined float values.");
        }

        var bytes = count * sizeof(float);
        if (values.Length < bytes)
        {
            throw new InvalidDataException($"a page holds {values.Length} bytes of values; {count} float values need {bytes}.");
        }

        MemoryMarshal.Cast<byte, float>(values[..bytes]).CopyTo(destination.Slice(done, count));
    }

    private static ReadOnlySpan<byte> LengthPrefixed(ref ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            throw new InvalidDataException("a page ends inside its levels.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4)
        {
            throw new InvalidDataException($"levels of {length} bytes run past the page.");
        }

        var levels = data.Slice(4, length);
        data = data[(4 + length)..];
        return levels;
    }

    private static ReadOnlySpan<byte> Decompress(ReadOnlySpan<byte> compressed, int size, int codec, PageBuffer page)
    {
        if (size < 0)
        {
            throw new InvalidDataException($"a page of {size} bytes.");
        }

        if (codec == Uncompressed)
        {
            return compressed[..Math.Min(size, compressed.Length)];
        }

        var output = page.Take(size);
        int written;
        try
        {
            written = Snappier.Snappy.Decompress(compressed, output);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"a page's Snappy data is corrupt: {e.Message}", e);
        }

        if (written != size)
        {
            throw new InvalidDataException($"a page decompressed to {written} bytes; its header says {size}.");
        }

        return output;
    }
}

/// <summary>The buffer one decompressed page goes into, rented from the shared pool, kept for the next page and file.</summary>
internal sealed class PageBuffer : IDisposable
{
    private byte[] _bytes = [];

    /// <summary>The first <paramref name="size"/> bytes (their content is the previous page's).</summary>
    public Span<byte> Take(int size)
    {
        if (_bytes.Length < size)
        {
            Dispose();
            _bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        }

        return _bytes.AsSpan(0, size);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (_bytes.Length > 0)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }
}
