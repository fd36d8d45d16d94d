using Parquet;
using Parquet.Schema;

namespace MoCo.Extraction.Reading;

/// <summary>
/// A store's Parquet feature file: the <c>features</c> column (a list of float32 per row, D values each) of its one row
/// group, decoded once into a buffer the reader reuses for the next file (Parquet pages are compressed, so a slice
/// cannot be read alone).
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

    public void Read(int start, Span<float> destination) =>
        _values.AsSpan(start * _dimension, destination.Length).CopyTo(destination);

    public void Dispose()
    {
    }

    private async Task ReadAsync(string path, int rows, int values)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
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

        if (group.GetMetadata(field)?.MetaData?.NumValues is long stored && stored != values)
        {
            throw new InvalidDataException($"{path}: {stored} feature values; the manifest expects {rows} rows of {values / rows}.");
        }

        var definition = _buffers.Definition.AsMemory(0, values);
        var repetition = _buffers.Repetition.AsMemory(0, values);
        await group.ReadRawAsync<float>(field, _values.AsMemory(0, values), definition, repetition).ConfigureAwait(false);
        CheckLevels(path, definition.Span, repetition.Span);
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

/// <summary>What <see cref="ParquetFeatureReader"/> decodes into, kept from one file to the next.</summary>
internal sealed class ParquetBuffers
{
    public float[] Values { get; private set; } = [];

    public int[] Definition { get; private set; } = [];

    public int[] Repetition { get; private set; } = [];

    public void Grow(int values)
    {
        if (Values.Length < values)
        {
            Values = new float[values];
            Definition = new int[values];
            Repetition = new int[values];
        }
    }
}
