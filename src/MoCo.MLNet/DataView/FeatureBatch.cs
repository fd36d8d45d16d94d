using Microsoft.ML.Data;

namespace MoCo.MLNet.DataView;

/// <summary>One batch of rows read ahead: their ids, features (Count·D) and per-row failures.</summary>
internal sealed class FeatureBatch
{
    public FeatureBatch(int capacity, int dimension)
    {
        Ids = new DataViewRowId[capacity];
        Features = new float[capacity * dimension];
        Errors = new string?[capacity];
        Sources = new string[capacity];
    }

    public int Count { get; set; }

    public DataViewRowId[] Ids { get; }

    public float[] Features { get; }

    public string?[] Errors { get; }

    public string[] Sources { get; }
}
