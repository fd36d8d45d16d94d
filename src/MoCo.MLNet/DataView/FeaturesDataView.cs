using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Input;

namespace MoCo.MLNet.DataView;

/// <summary>The input with the features column added; lazy: nothing runs until a cursor asks for the features.</summary>
internal sealed class FeaturesDataView : IDataView
{
    private readonly IDataView _input;
    private readonly DataViewSchema.Column _imageColumn;
    private readonly Func<MoCoFeaturizer> _featurizer;
    private readonly ImageColumnKind _kind;
    private readonly int _channels;
    private readonly MoCoBadImagePolicy _policy;

    public FeaturesDataView(IDataView input, DataViewSchema schema, DataViewSchema.Column imageColumn, Func<MoCoFeaturizer> featurizer, ImageColumnKind kind, int channels, MoCoBadImagePolicy policy)
    {
        _input = input;
        Schema = schema;
        _imageColumn = imageColumn;
        _featurizer = featurizer;
        _kind = kind;
        _channels = channels;
        _policy = policy;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    /// <summary>The features column's index (the last column).</summary>
    public int FeaturesIndex => Schema.Count - 1;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var features = needed.Remove(FeaturesIndex);
        var inputColumns = needed.Select(i => _input.Schema[i]).ToList();
        var input = _input.GetRowCursor(inputColumns);
        if (!features)
        {
            return new FeaturesCursor(Schema, input, null, null, FeaturesIndex, _policy);
        }

        try
        {
            // The features of the same rows, read ahead on a second cursor (nothing runs until the first row is asked for).
            var featurizer = _featurizer();
            var ids = new ConcurrentQueue<DataViewRowId>();
            var batches = featurizer.FeaturizeAll(ImageColumnReader.Rows(_input, _imageColumn, _kind, _channels, ids)).GetEnumerator();
            return new FeaturesCursor(Schema, input, batches, ids, FeaturesIndex, _policy);
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>One cursor: the batches are already spread over decode threads and ONNX Runtime's threads.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
