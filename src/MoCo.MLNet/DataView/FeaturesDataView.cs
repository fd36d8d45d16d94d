using Microsoft.ML;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet.DataView;

/// <summary>The input with the features column added; lazy: nothing runs until a cursor asks for the features.</summary>
internal sealed class FeaturesDataView : IDataView
{
    private readonly IDataView _input;
    private readonly DataViewSchema.Column _imageColumn;
    private readonly Func<FeaturizerRuntime> _runtime;
    private readonly MoCoFeaturesOptions _options;
    private readonly int _dimension;

    public FeaturesDataView(IDataView input, DataViewSchema schema, DataViewSchema.Column imageColumn, Func<FeaturizerRuntime> runtime, MoCoFeaturesOptions options, int dimension)
    {
        _input = input;
        Schema = schema;
        _imageColumn = imageColumn;
        _runtime = runtime;
        _options = options;
        _dimension = dimension;
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
        ReadAheadPipeline? pipeline = null;
        if (features)
        {
            try
            {
                pipeline = new ReadAheadPipeline(_input, _imageColumn, _runtime(), _options.BatchSize);
            }
            catch
            {
                input.Dispose();
                throw;
            }
        }

        return new FeaturesCursor(Schema, input, pipeline, FeaturesIndex, _dimension, _options.BadImages);
    }

    /// <summary>One cursor: the batches are already spread over decode threads and ONNX Runtime's threads.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
