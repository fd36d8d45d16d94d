using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Data;

/// <summary>
/// MoCo batches from images in memory, augmented batched on the device (<see cref="BatchedAugmentation"/>). The epoch's
/// order is a seeded permutation of (seed, epoch); each view's parameters come from the stream (seed, epoch, batch, view).
/// </summary>
public sealed class InMemoryViewPairSource(InMemoryImages images, BatchedAugmentation augmentation, ulong seed) : IViewPairSource
{
    /// <inheritdoc/>
    public int Count => images.Count;

    /// <inheritdoc/>
    public (int channels, int height, int width) ViewShape => (images.Channels, augmentation.Size, augmentation.Size);

    /// <inheritdoc/>
    public int BatchesPerEpoch(int batchSize) => images.Count / batchSize;

    /// <inheritdoc/>
    public string? AugmentationNote => augmentation.Describe(images.Channels);

    /// <summary>The sample order of an epoch.</summary>
    internal int[] Order(int epoch) => SplitMix64.For(seed, epoch, 0x0D0E).Permutation(images.Count);

    /// <inheritdoc/>
    public IEnumerable<ViewPairBatch> Epoch(int epoch, int startBatch, int batchSize, Device device)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "the batch size must be positive");
        int batches = BatchesPerEpoch(batchSize);
        if (batches == 0) throw new InvalidOperationException($"{images.Count} images make no full batch of {batchSize}");
        int[] order = Order(epoch);
        // No dispose scope may stay open across a yield: the consumer's tensors would land in it.
        for (int b = startBatch; b < batches; b++) yield return MakeBatch(order, epoch, b, batchSize, device);
    }

    private ViewPairBatch MakeBatch(int[] order, int epoch, int b, int batchSize, Device device)
    {
        using var scope = NewDisposeScope();
        var index = new long[batchSize];
        for (int i = 0; i < batchSize; i++) index[i] = order[b * batchSize + i];
        var rows = tensor(index);
        var pixels = images.Images.index_select(0, rows).to(device);
        var rq = SplitMix64.For(seed, epoch, b, 1);
        var rk = SplitMix64.For(seed, epoch, b, 2);
        var q = augmentation.Apply(pixels, ref rq).DetachFromDisposeScope();
        var k = augmentation.Apply(pixels, ref rk).DetachFromDisposeScope();
        return new ViewPairBatch(q, k, b, rows.to(device).DetachFromDisposeScope());
    }
}
