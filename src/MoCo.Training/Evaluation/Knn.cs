using TorchSharp;
using MoCo.Training.Data;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>
/// The kNN classifier of MoCo's CIFAR demo (after Wu et al. 2018): cosine similarity to every memory-bank feature,
/// the k nearest vote for their class with weight exp(similarity / t), the class with the largest sum wins.
/// </summary>
public static class Knn
{
    /// <summary>Predicted classes of <paramref name="features"/> (B×D, L2-normalised) against <paramref name="bank"/>
    /// (M×D, L2-normalised) with labels <paramref name="bankLabels"/> (M, Int64). Defaults: k = 200, t = 0.1.</summary>
    public static Tensor Predict(Tensor features, Tensor bank, Tensor bankLabels, int classes, int k = 200, double t = 0.1)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(bankLabels);
        using var scope = NewDisposeScope();
        long b = features.size(0);
        int kk = (int)Math.Min(k, bank.size(0));
        var similarity = features.mm(bank.t());                       // B × M
        var (weights, indices) = similarity.topk(kk, dim: 1);          // B × k
        var neighbourLabels = bankLabels.index_select(0, indices.flatten()).view(b, kk);
        var votes = zeros([b, classes], features.dtype, features.device).scatter_add(1, neighbourLabels, weights.div(t).exp_());
        return votes.argmax(1).MoveToOuterDisposeScope();
    }
}

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

/// <summary>kNN top-1 of an encoder's backbone features: a labelled memory set forms the bank, a test set is classified.</summary>
public sealed class KnnMonitor(ILabelledImages memory, ILabelledImages test, int k = 200, double t = 0.1)
{
    /// <summary>A monitor over in-memory sets, preprocessed by <paramref name="preprocessing"/>.</summary>
    public KnnMonitor(InMemoryImages memory, InMemoryImages test, BatchedAugmentation preprocessing, int k = 200, double t = 0.1)
        : this(new InMemoryLabelledImages(memory, preprocessing), new InMemoryLabelledImages(test, preprocessing), k, t) { }

    /// <summary>Classes: the larger of the two sets' counts.</summary>
    public int Classes { get; } = Math.Max(memory.Classes, test.Classes);

    /// <summary>Top-1 accuracy (0–1) of the encoder's L2-normalised pooled features, computed in eval mode (the
    /// encoder's mode is restored afterwards).</summary>
    public double Evaluate(ResNet encoder, Device device)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var parts = new List<Tensor>();
            var bankLabels = new List<long>();
            foreach (var (x, labels) in memory.Batches(device))
            {
                using (x) parts.Add(FeaturesOf(encoder, x));
                bankLabels.AddRange(labels);
            }
            var bank = cat(parts, 0);
            var bankLabelTensor = tensor(bankLabels.ToArray()).to(device);
            long correct = 0, total = 0;
            foreach (var (x, labels) in test.Batches(device))
            {
                using var batchScope = NewDisposeScope();
                Tensor f;
                using (x) f = FeaturesOf(encoder, x);
                var predicted = Knn.Predict(f, bank, bankLabelTensor, Classes, k, t);
                correct += predicted.eq(tensor(labels).to(device)).sum().item<long>();
                total += labels.Length;
            }
            return total == 0 ? double.NaN : (double)correct / total;
        }
        finally
        {
            encoder.train(wasTraining);
        }
    }

    private static Tensor FeaturesOf(ResNet encoder, Tensor x)
    {
        using Tensor features = encoder.ForwardFeatures(x);
        return nn.functional.normalize(features, dim: 1);
    }
}
