using MoCo.MLNet.Input;

namespace MoCo.MLNet;

/// <summary>
/// Features of consecutive inputs of <see cref="MoCoFeaturizer.FeaturizeAll"/>, in input order. Its buffers are
/// recycled: it is valid until the enumeration moves on (copy out what must outlive that).
/// </summary>
public sealed class MoCoFeatureBatch
{
    internal MoCoFeatureBatch(int capacity, int dimension, int cropLength, int valueCount)
    {
        Capacity = capacity;
        FeatureDimension = dimension;
        Slots = new ImageItem[capacity];
        for (var i = 0; i < capacity; i++)
        {
            Slots[i] = new ImageItem();
        }

        Crops = new byte[capacity * cropLength];
        Values = new float[capacity * valueCount];
        Invalid = new float[capacity];
        FeatureValues = new float[capacity * dimension];
        Errors = new string?[capacity];
        Sources = new string[capacity];
    }

    /// <summary>Inputs in this batch (at most the featurizer's batch size; fewer only in the last batch).</summary>
    public int Count { get; internal set; }

    /// <summary>Position of the batch's first input in the input sequence (0 for the first batch).</summary>
    public long Offset { get; internal set; }

    /// <summary>Values per image.</summary>
    public int FeatureDimension { get; }

    /// <summary>All features, row after row: <see cref="Count"/> × <see cref="FeatureDimension"/> values (NaN rows for bad images).</summary>
    public ReadOnlySpan<float> AllFeatures => FeatureValues.AsSpan(0, Count * FeatureDimension);

    internal int Capacity { get; }

    /// <summary>The inputs as read, until the batch is prepared.</summary>
    internal ImageItem[] Slots { get; }

    /// <summary>Capacity·S·S·C uint8 centre crops (HWC); a failed row's slot is zeros.</summary>
    internal byte[] Crops { get; }

    /// <summary>Capacity·C·S·S preprocessed floats (the preprocessed-column step only).</summary>
    internal float[] Values { get; }

    /// <summary>The step graph's "invalid" input: zeros (bad rows are set to NaN after the run).</summary>
    internal float[] Invalid { get; }

    internal float[] FeatureValues { get; }

    internal string?[] Errors { get; }

    internal string[] Sources { get; }

    /// <summary>The features of row <paramref name="row"/> (0 ≤ row &lt; <see cref="Count"/>): <see cref="FeatureDimension"/> values, all NaN when its image was bad.</summary>
    public ReadOnlySpan<float> Features(int row) => FeatureValues.AsSpan(CheckRow(row) * FeatureDimension, FeatureDimension);

    /// <summary>Why row <paramref name="row"/>'s image could not be read or decoded, or null when it was.</summary>
    public string? Error(int row) => Errors[CheckRow(row)];

    /// <summary>What row <paramref name="row"/>'s image is called in messages (its path as given, or a description).</summary>
    public string Source(int row) => Sources[CheckRow(row)];

    /// <summary>Releases images still held by the batch's slots (decoded inputs taken over and not yet prepared).</summary>
    internal void ReleaseSlots()
    {
        foreach (var slot in Slots)
        {
            slot.Dispose();
        }
    }

    private int CheckRow(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Count);
        return row;
    }
}
