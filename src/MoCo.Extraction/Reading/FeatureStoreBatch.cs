namespace MoCo.Extraction.Reading;

/// <summary>
/// Consecutive rows of a store, all from one feature file, as <see cref="FeatureStoreReader.ReadBatches"/> yields them.
/// The buffers are reused: a batch is valid until the enumeration moves on.
/// </summary>
public sealed class FeatureStoreBatch
{
    private float[] _features = [];
    private int[] _items = [];
    private int[] _labels = [];
    private string[] _paths = [];
    private int _fileStart;

    internal FeatureStoreBatch(int dimension) => Dimension = dimension;

    /// <summary>Values per feature vector.</summary>
    public int Dimension { get; }

    /// <summary>Store position (0-based, in the store's row order) of the batch's first row.</summary>
    public long Offset { get; private set; }

    /// <summary>Rows in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>The feature file the rows come from (e.g. <c>part-000003.parquet</c>).</summary>
    public string File { get; private set; } = "";

    /// <summary>What was read (<see cref="FeatureStoreReader.ReadBatches"/>'s <c>fields</c>).</summary>
    public FeatureStoreFields Fields { get; private set; }

    /// <summary>Every row's features, row-major: <see cref="Count"/> × <see cref="Dimension"/> values.</summary>
    /// <exception cref="InvalidOperationException">Features were not read.</exception>
    public ReadOnlySpan<float> AllFeatures => Need(FeatureStoreFields.Features, "features").AsSpan(0, Count * Dimension);

    /// <summary>Row <paramref name="i"/>'s features (<see cref="Dimension"/> values).</summary>
    public ReadOnlySpan<float> Features(int i) => Need(FeatureStoreFields.Features, "features").AsSpan(Check(i) * Dimension, Dimension);

    /// <summary>Row <paramref name="i"/>'s source item index (its place in the source the store was extracted from).</summary>
    public int Item(int i) => Need(FeatureStoreFields.ItemsAndLabels, _items, "items")[_fileStart + Check(i)];

    /// <summary>Row <paramref name="i"/>'s label, or -1 when it has none.</summary>
    public int Label(int i) => Need(FeatureStoreFields.ItemsAndLabels, _labels, "labels")[_fileStart + Check(i)];

    /// <summary>Row <paramref name="i"/>'s image path (or <c>file[k]</c> for IDX data).</summary>
    public string Path(int i) => Need(FeatureStoreFields.Paths, _paths, "paths")[_fileStart + Check(i)];

    /// <summary>Row <paramref name="i"/>'s row within <see cref="File"/>.</summary>
    public int FileRow(int i) => _fileStart + Check(i);

    /// <summary>The feature buffer to fill for <paramref name="rows"/> rows.</summary>
    internal Span<float> FeatureBuffer(int rows)
    {
        if (_features.Length < rows * Dimension)
        {
            _features = new float[rows * Dimension];
        }

        return _features.AsSpan(0, rows * Dimension);
    }

    internal void Set(string file, long offset, int fileStart, int count, FeatureStoreFields fields, int[] items, int[] labels, string[]? paths)
    {
        File = file;
        Offset = offset;
        _fileStart = fileStart;
        Count = count;
        Fields = fields;
        _items = items;
        _labels = labels;
        _paths = paths ?? [];
    }

    private T[] Need<T>(FeatureStoreFields field, T[] values, string what) =>
        (Fields & field) != 0 ? values : throw new InvalidOperationException($"The batch holds no {what}: ask ReadBatches for FeatureStoreFields.{field}.");

    private float[] Need(FeatureStoreFields field, string what) => Need(field, _features, what);

    private int Check(int i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(i, Count);
        return i;
    }
}
