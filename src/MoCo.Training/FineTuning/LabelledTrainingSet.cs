using TorchSharp;
using MoCo.Evaluation;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// Labelled training images held in memory (IDX data): the draw's pixels as one uint8 tensor, served in batches whose
/// order is a seeded permutation of (seed, epoch) and whose views get a random resized crop and a horizontal flip
/// (<see cref="BatchedAugmentation"/> with its colour and blur steps off), drawn from the stream (seed, epoch, batch).
/// </summary>
public sealed class LabelledTrainingSet : ILabelledTrainingSet
{
    private readonly InMemoryImages subset;   // uint8 n × C × H × W, the drawn images, with their labels
    private readonly long[] labels;
    private readonly BatchedAugmentation augmentation;
    private readonly ulong seed;
    private (int epoch, int[] order)? lastOrder;

    /// <summary>Draws the subset <paramref name="config"/> asks for (<see cref="FineTuneConfig.Budget"/>, draw
    /// <see cref="FineTuneConfig.Draw"/>) from <paramref name="images"/>.</summary>
    /// <exception cref="ArgumentException">The images have no labels, or a class has fewer images than asked for
    /// (the message names the class, by <see cref="FineTuneConfig.ClassNames"/>, and its count).</exception>
    public LabelledTrainingSet(InMemoryImages images, FineTuneConfig config)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(config);
        long[] all = images.Labels ?? throw new ArgumentException("fine-tuning needs labelled training images: this source has no labels");
        int[] pool = [.. all.Select(l => checked((int)l))];
        if (pool.Length > 0 && pool.Max() >= config.Classes)
            throw new ArgumentException($"the training data has label {pool.Max()}, the classifier {config.Classes} classes");
        Indices = config.Budget.Draw(pool, config.Names, config.Seed, config.Draw);
        if (Indices.Length < 2) throw new ArgumentException($"fine-tuning needs at least 2 labelled images, the draw has {Indices.Length}");
        labels = [.. Indices.Select(i => all[i])];
        using (var scope = NewDisposeScope())
        {
            Tensor rows = images.Images.index_select(0, tensor(Indices.Select(i => (long)i).ToArray())).contiguous();
            subset = InMemoryImages.FromPixels(rows.bytes, Indices.Length, images.Channels, images.Height, images.Width, labels);
        }
        Channels = images.Channels;
        augmentation = CropAndFlip(config);
        Unaugmented = new InMemoryLabelledImages(subset, Evaluation(config));
        seed = config.Seed;
    }

    /// <summary>The training views' augmentation: random resized crop (scale <see cref="FineTuneConfig.MinCropScale"/>–1,
    /// ratio 3/4–4/3) to the input size with a flip of probability 0.5, normalised; no colour jitter, grayscale or blur.</summary>
    internal static BatchedAugmentation CropAndFlip(FineTuneConfig config) => new()
    {
        Size = config.InputSize, Scale = (config.MinCropScale, 1.0), JitterProbability = 0, GrayscaleProbability = 0, BlurProbability = 0,
        Hue = 0, Brightness = 0, Contrast = 0, Saturation = 0, Mean = config.Mean, Std = config.Std,
    };

    /// <summary>The test images' transform (the same normalisation, no randomness: <see cref="BatchedAugmentation.Evaluate"/>).</summary>
    internal static BatchedAugmentation Evaluation(FineTuneConfig config) => CropAndFlip(config);

    /// <inheritdoc/>
    public int[] Indices { get; }

    /// <inheritdoc/>
    public int Count => labels.Length;

    /// <inheritdoc/>
    public int Channels { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<long, int> PerClass => labels.GroupBy(l => l).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <inheritdoc/>
    public ILabelledImages Unaugmented { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Skipped => [];

    /// <inheritdoc/>
    public int BatchesPerEpoch(int batchSize) => Batches(Count, batchSize);

    /// <summary>The full batches of <paramref name="count"/> images, plus the remainder when it has at least 2 (BatchNorm in
    /// training needs two): the one rule of both forms.</summary>
    internal static int Batches(int count, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        return count / batchSize + (count % batchSize >= 2 ? 1 : 0);
    }

    /// <inheritdoc/>
    public IEnumerable<(Tensor images, Tensor labels)> Epoch(int epoch, int batchSize, Device device)
    {
        int batches = BatchesPerEpoch(batchSize);
        for (int b = 0; b < batches; b++) yield return Batch(epoch, b, batchSize, device);
    }

    /// <summary>Batch <paramref name="batch"/> of <paramref name="epoch"/>: augmented views on <paramref name="device"/>
    /// and their labels (int64); the caller disposes both.</summary>
    public (Tensor images, Tensor labels) Batch(int epoch, int batch, int batchSize, Device device)
    {
        int[] order = Order(epoch);
        int start = batch * batchSize, n = Math.Min(batchSize, Count - start);
        if (batch < 0 || n < 2) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"epoch has {BatchesPerEpoch(batchSize)} batches");
        var rows = new long[n];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            rows[i] = order[start + i];
            y[i] = labels[order[start + i]];
        }
        using var scope = NewDisposeScope();
        var rng = SplitMix64.For(seed, epoch, batch, 3);
        var x = augmentation.Apply(subset.Images.index_select(0, tensor(rows)).to(device), ref rng);
        return (x.DetachFromDisposeScope(), tensor(y).to(device).DetachFromDisposeScope());
    }

    /// <summary>The sample order of an epoch (kept for the epoch's batches).</summary>
    private int[] Order(int epoch)
    {
        if (lastOrder is not { } last || last.epoch != epoch) lastOrder = last = (epoch, SplitMix64.For(seed, epoch, 0xF17E).Permutation(Count));
        return last.order;
    }

    /// <summary>Frees the pixels.</summary>
    public void Dispose() => subset.Dispose();
}
