namespace MoCo.Extraction.Store;

/// <summary>The rows of one feature file being filled: readable images (name, label, features) and the failures met on the way.</summary>
internal sealed class FeaturePart(int dimension)
{
    private readonly List<int> _items = [];
    private readonly List<ImageRecord> _failed = [];
    private float[] _features = new float[dimension * 64];

    public int Dimension => dimension;

    /// <summary>Readable images held (the file's rows).</summary>
    public int Rows => _items.Count;

    /// <summary>Source items covered: rows and failures.</summary>
    public int ItemCount => _items.Count + _failed.Count;

    public List<string> Paths { get; } = [];

    public List<int> Labels { get; } = [];

    /// <summary>Rows·D values, row-major.</summary>
    public ReadOnlySpan<float> Features => _features.AsSpan(0, Rows * dimension);

    public void AddRow(int item, string path, int label, ReadOnlySpan<float> features)
    {
        if (_features.Length < (Rows + 1) * dimension)
        {
            Array.Resize(ref _features, _features.Length * 2);
        }

        features.CopyTo(_features.AsSpan(Rows * dimension, dimension));
        _items.Add(item);
        Paths.Add(path);
        Labels.Add(label);
    }

    public void AddFailure(int item, string path, int label, string error) =>
        _failed.Add(new ImageRecord(item, path, label, null, -1, false, error));

    /// <summary>The manifest lines of this part once written as <paramref name="shard"/>.</summary>
    public IEnumerable<ImageRecord> Records(string? shard) =>
        _items.Select((item, row) => new ImageRecord(item, Paths[row], Labels[row], shard, row, true, null)).Concat(_failed);

    public void Clear()
    {
        _items.Clear();
        _failed.Clear();
        Paths.Clear();
        Labels.Clear();
    }
}
