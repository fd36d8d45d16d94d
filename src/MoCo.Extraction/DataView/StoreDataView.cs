using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.Extraction.Reading;

namespace MoCo.Extraction.DataView;

/// <summary>A store's rows as a data view: the schema of <see cref="MoCoStore"/>, rows from <see cref="FeatureStoreReader.ReadBatches"/>.</summary>
internal sealed class StoreDataView : IDataView
{
    private readonly FeatureStoreReader _store;

    public StoreDataView(FeatureStoreReader store)
    {
        _store = store;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(MoCoStore.FeaturesColumn, new VectorDataViewType(NumberDataViewType.Single, store.FeatureDimension));
        if (store.Labelled)
        {
            builder.AddColumn(MoCoStore.LabelColumn, new KeyDataViewType(typeof(uint), store.ClassCount), KeyValues(store));
        }

        builder.AddColumn(MoCoStore.ImagePathColumn, TextDataViewType.Instance);
        builder.AddColumn(MoCoStore.ItemColumn, NumberDataViewType.Int32);
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _store.RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[Schema.Count];
        var fields = FeatureStoreFields.None;
        foreach (var column in columnsNeeded)
        {
            active[column.Index] = true;
            fields |= column.Name switch
            {
                MoCoStore.FeaturesColumn => FeatureStoreFields.Features,
                MoCoStore.ImagePathColumn => FeatureStoreFields.Paths,
                _ => FeatureStoreFields.ItemsAndLabels,
            };
        }

        return new StoreCursor(Schema, active, _store.ReadBatches(fields).GetEnumerator());
    }

    /// <summary>One cursor: reading is sequential file by file, and a consumer's work per row is what parallelises.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The class names as the label's key values (what <c>MapKeyToValue</c> turns keys back into); "0", "1", … when the store does not know them.</summary>
    private static DataViewSchema.Annotations KeyValues(FeatureStoreReader store)
    {
        var names = Enumerable.Range(0, store.ClassCount)
            .Select(k => (k < store.LabelNames.Count ? store.LabelNames[k] : k.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsMemory())
            .ToArray();
        var annotations = new DataViewSchema.Annotations.Builder();
        // ML.NET's kind name for key values ("KeyValues"; its AddKeyValues helper is internal): a text vector, one per key.
        annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names));
        return annotations.ToAnnotations();
    }
}
