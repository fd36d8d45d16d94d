using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MoCo.MLNet.DataView;

/// <summary>
/// A cursor over the input with the features column added. Input columns come from a cursor over the input that
/// moves with this one; features come from <see cref="MoCoFeaturizer.FeaturizeAll"/> over the same rows, read ahead
/// on a second cursor that queues each row's id as it reads it. Row ids are compared on every row, so an input that
/// would give the two cursors different orders fails loudly instead of pairing features with the wrong rows.
/// </summary>
internal sealed class FeaturesCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly IEnumerator<MoCoFeatureBatch>? _pipeline;
    private readonly ConcurrentQueue<DataViewRowId>? _ids;
    private readonly ValueGetter<DataViewRowId>? _inputId;
    private readonly int _featuresIndex;
    private readonly MoCoBadImagePolicy _policy;
    private MoCoFeatureBatch? _batch;
    private int _row = -1;
    private bool _done;

    public FeaturesCursor(DataViewSchema schema, DataViewRowCursor input, IEnumerator<MoCoFeatureBatch>? pipeline, ConcurrentQueue<DataViewRowId>? ids, int featuresIndex, MoCoBadImagePolicy policy)
    {
        Schema = schema;
        _input = input;
        _pipeline = pipeline;
        _ids = ids;
        _featuresIndex = featuresIndex;
        _policy = policy;
        _inputId = pipeline is null ? null : input.GetIdGetter();
    }

    public override DataViewSchema Schema { get; }

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index == _featuresIndex ? _pipeline is not null : _input.IsColumnActive(_input.Schema[column.Index]);

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (column.Index != _featuresIndex)
        {
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        }

        if (_pipeline is null)
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was made.");
        }

        if (typeof(TValue) != typeof(VBuffer<float>))
        {
            throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; asked for {typeof(TValue).Name}.");
        }

        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            if (_batch is null || _row < 0)
            {
                throw new InvalidOperationException("The cursor is not on a row.");
            }

            var features = _batch.Features(_row);
            var editor = VBufferEditor.Create(ref value, features.Length);
            features.CopyTo(editor.Values);
            value = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }

    public override bool MoveNext()
    {
        if (_done || !_input.MoveNext())
        {
            _done = true;
            return false;
        }

        if (_pipeline is null)
        {
            return true;
        }

        if (_batch is null || ++_row >= _batch.Count)
        {
            // Moving on hands the previous batch back to the read-ahead's pool.
            _batch = null;
            if (!_pipeline.MoveNext())
            {
                throw new InvalidOperationException(
                    $"MoCoFeatures: the input gave row {Position} on one cursor but ended early on the read-ahead cursor; it must give the same rows to every cursor.");
            }

            _batch = _pipeline.Current;
            _row = 0;
        }

        DataViewRowId id = default;
        _inputId!(ref id);
        if (!_ids!.TryDequeue(out var readAhead) || !id.Equals(readAhead))
        {
            throw new InvalidOperationException(
                $"MoCoFeatures: the input gave two cursors its rows in different orders (row {Position}); features are read ahead on a second cursor, " +
                "so the input must be deterministic (e.g. add AppendCacheCheckpoint or shuffle with a seed before MoCoFeatures).");
        }

        if (_batch.Error(_row) is { } error && _policy == MoCoBadImagePolicy.Throw)
        {
            throw MoCoFeaturizer.BadImage($"image of row {Position} {_batch.Source(_row)}", error);
        }

        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pipeline?.Dispose();
            _input.Dispose();
        }

        base.Dispose(disposing);
    }
}
