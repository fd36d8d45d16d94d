using MoCo.Extraction.Reading.ParquetPages;
using Parquet;

namespace MoCo.Extraction.Reading;

/// <summary>
/// A store's Parquet feature file: the <c>features</c> column (a list of float32 per row, D values each) of its one row
/// group, decoded once into a buffer the reader reuses for the next file (Parquet pages are compressed, so a slice
/// cannot be read alone). The column's pages are read by <see cref="FloatListPages"/> where they are laid out as the
/// store's writer lays them out (Snappy or none, PLAIN values, RLE levels): several times faster than Parquet.Net's
/// general decoder, which reads any other layout.
/// </summary>
internal sealed class ParquetFeatureReader : IFeatureFileReader
{
    private readonly float[] _values;
    private readonly int _dimension;
    private readonly ParquetBuffers _buffers;

    /// <param name="path">The file.</param>
    /// <param name="expectedRows">Rows the manifest lists for it.</param>
    /// <param name="dimension">Values per row.</param>
    /// <param name="buffers">Buffers to reuse (grown when too small); the reader holds them until the next file.</param>
    public ParquetFeatureReader(string path, int expectedRows, int dimension, ParquetBuffers buffers)
    {
        _dimension = dimension;
        var values = checked(expectedRows * dimension);
        buffers.Grow(values);
        _buffers = buffers;
        _values = buffers.Values;
        try
        {
            ReadAsync(path, expectedRows, values).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not InvalidDataException and not FileNotFoundException and not UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot be read as a feature file: {e.Message}", e);
        }

        Rows = expectedRows;
    }

    public int Rows { get; }

    /// <summary>Whether the pages were read by <see cref="FloatListPages"/> (else by Parquet.Net's general decoder).</summary>
    internal bool ReadPages { get; private set; }

    public void Read(int start, Span<float> destination) =>
        _values.AsSpan(start * _dimension, destination.Length).CopyTo(destination);

    public void Dispose()
    {
    }

    private async Task ReadAsync(string path, int rows, int values)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 4096, FileOptions.RandomAccess);
        await using var reader = await ParquetReader.CreateAsync(file, leaveStreamOpen: true).ConfigureAwait(false);
        var field = reader.Schema.GetDataFields().FirstOrDefault(f => f.Path.ToString().StartsWith("features", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{path}: no features column.");
        if (reader.RowGroupCount != 1)
        {
            throw new InvalidDataException($"{path}: {reader.RowGroupCount} row groups; a store's feature file has one.");
        }

        using var group = reader.OpenRowGroupReader(0);
        if (group.RowCount != rows)
        {
            throw new InvalidDataException($"{path}: {group.RowCount} rows; the manifest expects {rows}.");
        }

        var chunk = group.GetMetadata(field)?.MetaData ?? throw new InvalidDataException($"{path}: the features column has no metadata.");
        if (chunk.NumValues != values)
        {
            throw new InvalidDataException($"{path}: {chunk.NumValues} feature values; the manifest expects {rows} rows of {values / rows}.");
        }

        ReadPages = field.MaxRepetitionLevel == 1 && field.MaxDefinitionLevel >= 1 && chunk.Type == Parquet.Meta.Type.FLOAT && chunk.DictionaryPageOffset is null or 0
            && FloatListPages.Supports((int)chunk.Codec) && TryReadPages(file, chunk, field.MaxDefinitionLevel, values);
        if (ReadPages)
        {
            return;
        }

        _buffers.GrowLevels(values);
        var definition = _buffers.Definition.AsMemory(0, values);
        var repetition = _buffers.Repetition.AsMemory(0, values);
        await group.ReadRawAsync<float>(field, _values.AsMemory(0, values), definition, repetition).ConfigureAwait(false);
        CheckLevels(path, definition.Span, repetition.Span);
    }

    private bool TryReadPages(FileStream file, Parquet.Meta.ColumnMetaData chunk, int maxDefinitionLevel, int values)
    {
        var start = chunk.DataPageOffset;
        var length = chunk.TotalCompressedSize;
        if (start < 4 || length <= 0 || length > Array.MaxLength || start + length > file.Length)
        {
            throw new InvalidDataException($"{file.Name}: the features column chunk ({length} bytes at {start}) lies outside the file ({file.Length} bytes).");
        }

        var bytes = _buffers.Chunk((int)length);
        for (var at = 0; at < bytes.Length;)
        {
            var read = RandomAccess.Read(file.SafeFileHandle, bytes[at..], start + at);
            at += read > 0 ? read : throw new InvalidDataException($"{file.Name}: ends inside the features column chunk.");
        }

        try
        {
            return FloatListPages.TryRead(bytes, (int)chunk.Codec, maxDefinitionLevel, _dimension, _values.AsSpan(0, values), _buffers.Page);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file.Name}: the features column: {e.Message}", e);
        }
    }

    /// <summary>
    /// Every row a list of exactly D defined values: Dremel levels 0 (a new row) every D values and 1 between, every
    /// definition level 2 (the writer's levels); anything else is not a store's file.
    /// </summary>
    private void CheckLevels(string path, ReadOnlySpan<int> definition, ReadOnlySpan<int> repetition)
    {
        var d = _dimension;
        for (var start = 0; start < definition.Length; start += d)
        {
            var rowDefinition = definition.Slice(start, d);
            var rowRepetition = repetition.Slice(start + 1, d - 1);
            if (repetition[start] != 0 || rowDefinition.IndexOfAnyExcept(2) >= 0 || rowRepetition.IndexOfAnyExcept(1) >= 0)
            {
                throw new InvalidDataException($"{path}: row {start / d} is not a list of {d} float values.");
            }
        }
    }
}

/// <summary>
/// What <see cref="ParquetFeatureReader"/> decodes into, kept from one file to the next and rented from the shared array
/// pools, so that a new enumeration of the store (a trainer's next pass) reuses the last one's arrays rather than
/// allocating and zeroing a file's worth of fresh memory for each slot.
/// </summary>
internal sealed class ParquetBuffers : IDisposable
{
    private byte[] _chunk = [];

    public float[] Values { get; private set; } = [];

    /// <summary>One decompressed page (<see cref="FloatListPages"/>).</summary>
    public PageBuffer Page { get; } = new();

    /// <summary>Levels as ints, for Parquet.Net's general decoder only.</summary>
    public int[] Definition { get; private set; } = [];

    /// <inheritdoc cref="Definition"/>
    public int[] Repetition { get; private set; } = [];

    public void Grow(int values) => Values = Rent(Values, values);

    public void GrowLevels(int values)
    {
        Definition = Rent(Definition, values);
        Repetition = Rent(Repetition, values);
    }

    /// <summary>A buffer for a column chunk's bytes, exactly <paramref name="bytes"/> long.</summary>
    public Span<byte> Chunk(int bytes)
    {
        _chunk = Rent(_chunk, bytes);
        return _chunk.AsSpan(0, bytes);
    }

    /// <summary>Returns the arrays to the pools.</summary>
    public void Dispose()
    {
        Values = Rent(Values, -1);
        Definition = Rent(Definition, -1);
        Repetition = Rent(Repetition, -1);
        _chunk = Rent(_chunk, -1);
        Page.Dispose();
    }

    /// <summary><paramref name="held"/> when it has <paramref name="length"/> elements, else a pooled array that has (held returned to the pool); length -1: return it, hold nothing.</summary>
    internal static T[] Rent<T>(T[] held, int length)
    {
        if (length >= 0 && held.Length >= length)
        {
            return held;
        }

        if (held.Length > 0)
        {
            System.Buffers.ArrayPool<T>.Shared.Return(held);
        }

        return length > 0 ? System.Buffers.ArrayPool<T>.Shared.Rent(length) : [];
    }
}
