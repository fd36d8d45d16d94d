namespace MoCo.Extraction.Pipeline;

/// <summary>One batch made ready for ONNX Runtime: source items, their centre crops (HWC bytes), and per-item failures.</summary>
internal sealed class PreparedBatch(int capacity, int cropLength)
{
    public int Count { get; set; }

    public int[] Items { get; } = new int[capacity];

    /// <summary>Count·cropLength bytes; a failed item's slot is zeros.</summary>
    public byte[] Crops { get; } = new byte[capacity * cropLength];

    /// <summary>Why item i could not be read, or null.</summary>
    public string?[] Errors { get; } = new string?[capacity];

    public int CropLength => cropLength;

    /// <summary>True when no item of the batch could be read (ONNX Runtime is then skipped).</summary>
    public bool AllFailed => Errors.Take(Count).All(e => e is not null);
}
