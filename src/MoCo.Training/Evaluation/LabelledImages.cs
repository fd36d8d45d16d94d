using TorchSharp;
using MoCo.Training.Data;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>A labelled image set for evaluation: normalised float batches (N×C×H×W) with their labels, in a fixed order.</summary>
public interface ILabelledImages
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>The largest label plus one.</summary>
    int Classes { get; }

    /// <summary>The batches, on <paramref name="device"/>; the caller disposes each tensor.</summary>
    IEnumerable<(Tensor images, long[] labels)> Batches(Device device);
}

/// <summary>Images in memory, preprocessed by <see cref="BatchedAugmentation.Evaluate"/>.</summary>
public sealed class InMemoryLabelledImages(InMemoryImages images, BatchedAugmentation preprocessing, int batchSize = 512) : ILabelledImages
{
    /// <inheritdoc/>
    public int Count => images.Count;

    /// <inheritdoc/>
    public int Classes { get; } = (int)(images.Labels?.Max() ?? throw new ArgumentException("evaluation images need labels")) + 1;

    /// <inheritdoc/>
    public IEnumerable<(Tensor images, long[] labels)> Batches(Device device)
    {
        for (int start = 0; start < images.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, images.Count - start);
            yield return (Preprocess(start, n, device), images.Labels!.AsSpan(start, n).ToArray());
        }
    }

    private Tensor Preprocess(int start, int n, Device device)
    {
        using var scope = NewDisposeScope();
        return preprocessing.Evaluate(images.Images.narrow(0, start, n).to(device)).DetachFromDisposeScope();
    }
}

/// <summary>Image files through MoCo.Imaging's extraction loader (resize, centre crop, normalise), in dataset order.</summary>
public sealed class LoaderLabelledImages(MoCo.Imaging.Loading.ImageLoader loader, int count, int classes) : ILabelledImages
{
    /// <inheritdoc/>
    public int Count => count;

    /// <inheritdoc/>
    public int Classes => classes;

    /// <inheritdoc/>
    public IEnumerable<(Tensor images, long[] labels)> Batches(Device device)
    {
        foreach (var batch in loader.Epoch(0))
        {
            (Tensor, long[]) item;
            using (batch)
            {
                long[] shape = [batch.Count, batch.Channels, batch.Size, batch.Size];
                Tensor x = LoaderViewPairSource.ToDevice(batch.View(0), shape, device);
                long[] labels = new long[batch.Count];
                for (int i = 0; i < labels.Length; i++) labels[i] = batch.Labels[i];
                item = (x, labels);
            }
            yield return item;
        }
    }
}
