using MoCo.Imaging.Loading;
using TorchSharp;

namespace MoCo.Training.Data;

/// <summary>
/// MoCo batches from MoCo.Imaging's parallel loader: image files decoded and augmented on CPU worker threads (the
/// exact torchvision/PIL recipes), copied into tensors on the training device. The loader's draws are a pure function
/// of (seed, epoch, sample), so resuming at a batch gives what an uninterrupted run would.
/// </summary>
/// Give the loader <see cref="LoaderOptions.ReplaceBadFiles"/> so an unreadable file's slot is filled with another image;
/// a batch that still comes short is skipped whole (MoCo's queue needs equal batches) and reported.
public sealed class LoaderViewPairSource(ImageLoader loader, int count, int channels, int size, int batchSize) : IViewPairSource
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int epoch, int batch), string> shortBatches = new();

    /// <inheritdoc/>
    public int Count => count;

    /// <inheritdoc/>
    public (int channels, int height, int width) ViewShape => (channels, size, size);

    /// <inheritdoc/>
    public int BatchesPerEpoch(int batch)
    {
        if (batch != batchSize) throw new ArgumentException($"the loader makes batches of {batchSize}, the trainer asked for {batch}");
        return loader.BatchesPerEpoch;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Skipped =>
        [.. loader.Skipped.Select(s => $"{s.Sample}: {s.Reason}").Distinct(), .. shortBatches.OrderBy(kv => kv.Key).Select(kv => kv.Value)];

    /// <inheritdoc/>
    public IEnumerable<ViewPairBatch> Epoch(int epoch, int startBatch, int batch, Device device)
    {
        BatchesPerEpoch(batch);
        int b = startBatch;
        foreach (ImageBatch images in loader.Epoch(epoch, startBatch))
        {
            ViewPairBatch pair;
            int index = b++;
            using (images)
            {
                if (images.Count < batchSize)
                {
                    shortBatches[(epoch, index)] = $"epoch {epoch} batch {index}: only {images.Count} of {batchSize} images readable, batch not trained on";
                    continue;
                }
                if (images.ViewCount != 2) throw new InvalidOperationException($"a pretraining loader gives two views per image, this one {images.ViewCount}");
                long[] shape = [images.Count, images.Channels, images.Size, images.Size];
                pair = new ViewPairBatch(ToDevice(images.View(0), shape, device), ToDevice(images.View(1), shape, device), index, Indices(images.Indices, device));
            }
            yield return pair;
        }
    }

    /// <summary>The samples' dataset indices (the substitutes' where a bad file was replaced) as Int64 on <paramref name="device"/>.</summary>
    private static Tensor Indices(ReadOnlySpan<int> indices, Device device)
    {
        var values = new long[indices.Length];
        for (int i = 0; i < values.Length; i++) values[i] = indices[i];
        using var scope = torch.NewDisposeScope();
        return torch.tensor(values).to(device).DetachFromDisposeScope();
    }

    /// <summary>A loader batch's view as a tensor on <paramref name="device"/> (owned by the caller).</summary>
    internal static Tensor ToDevice(ReadOnlySpan<float> values, long[] shape, Device device)
    {
        Tensor cpu = TensorExtensions.FromFloats(values, shape).DetachFromDisposeScope();
        if (device.type == DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device).DetachFromDisposeScope();
    }
}
