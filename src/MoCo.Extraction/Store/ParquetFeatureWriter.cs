using Parquet;
using Parquet.Schema;

namespace MoCo.Extraction.Store;

/// <summary>
/// Parquet feature files (Parquet.Net, Snappy): <c>path</c> (string), <c>label</c> (int32, labelled sources only),
/// <c>features</c> (list of float32, D per row); one row group per file; the store's settings as key-value metadata.
/// </summary>
internal sealed class ParquetFeatureWriter : IFeatureFileWriter
{
    private readonly bool _labelled;
    private readonly Dictionary<string, string> _metadata;
    private readonly DataField<string> _path = new("path");
    private readonly DataField<int> _label = new("label");
    private readonly ListField _features = new("features", new DataField<float>("element"));
    private readonly ParquetSchema _schema;
    private int[] _repetition = [];
    private int[] _definition = [];

    public ParquetFeatureWriter(bool labelled, IReadOnlyDictionary<string, string> metadata)
    {
        _labelled = labelled;
        _metadata = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        _schema = labelled ? new ParquetSchema(_path, _label, _features) : new ParquetSchema(_path, _features);
    }

    public string Extension => ".parquet";

    public void Write(Stream output, FeaturePart part) => WriteAsync(output, part).GetAwaiter().GetResult();

    private async Task WriteAsync(Stream output, FeaturePart part)
    {
        var values = part.Rows * part.Dimension;
        if (_repetition.Length < values)
        {
            _repetition = new int[values];
            _definition = new int[values];
        }

        // Dremel levels of a required list of required floats: each row's first value starts a new list (repetition 0),
        // the others continue it (1); every value is defined at the list's full depth (2).
        for (var i = 0; i < values; i++)
        {
            _repetition[i] = i % part.Dimension == 0 ? 0 : 1;
            _definition[i] = 2;
        }

        await using var writer = await ParquetWriter.CreateAsync(_schema, output, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }).ConfigureAwait(false);
        writer.CustomMetadata = _metadata;
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(_path, part.Paths).ConfigureAwait(false);
        if (_labelled)
        {
            await group.WriteAsync<int>(_label, part.Labels.ToArray()).ConfigureAwait(false);
        }

        await group.WriteAllPartsAsync<float>((DataField)_features.Item, part.Features.ToArray(), _definition.AsMemory(0, values), _repetition.AsMemory(0, values), default).ConfigureAwait(false);
    }
}
