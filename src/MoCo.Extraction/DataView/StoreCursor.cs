using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Extraction.Reading;

namespace MoCo.Extraction.DataView;

/// <summary>
/// A cursor over a store's batches: each getter reads the current row of the current batch, copying nothing but the
/// features into the caller's buffer (no allocation per row once the buffers have their size).
/// </summary>
internal sealed class StoreCursor(DataViewSchema schema, bool[] active, IEnumerator<FeatureStoreBatch> batches) : DataViewRowCursor
{
    private FeatureStoreBatch? _batch;
    private int _row = -1;
    private long _position = -1;
    private bool _done;

    public override DataViewSchema Schema { get; } = schema;

    public override long Position => _position;

    public override long Batch => 0;

    public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

    public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)Current().Offset + (ulong)_row, 0);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!active[column.Index])
        {
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was made.");
        }

        Delegate getter = column.Name switch
        {
            MoCoStore.FeaturesColumn => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
            {
                var features = Current().Features(_row);
                var editor = VBufferEditor.Create(ref value, features.Length);
                features.CopyTo(editor.Values);
                value = editor.Commit();
            }),
            MoCoStore.LabelColumn => (ValueGetter<uint>)((ref uint value) => value = (uint)(Current().Label(_row) + 1)),
            MoCoStore.ImagePathColumn => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = Current().Path(_row).AsMemory()),
            MoCoStore.ItemColumn => (ValueGetter<int>)((ref int value) => value = Current().Item(_row)),
            _ => throw new InvalidOperationException($"No column '{column.Name}'."),
        };
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; asked for {typeof(TValue).Name}.");
    }

    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (_batch is null || ++_row >= _batch.Count)
        {
            if (!batches.MoveNext())
            {
                _done = true;
                _batch = null;
                return false;
            }

            _batch = batches.Current;
            _row = 0;
        }

        _position++;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            batches.Dispose();
        }

        base.Dispose(disposing);
    }

    private FeatureStoreBatch Current() => _batch ?? throw new InvalidOperationException("The cursor is not on a row.");
}
