using TorchSharp;
using MoCo.Evaluation;
using MoCo.Training.Data;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// The labelled training images of a fine-tuning run: a seeded stratified subset of an in-memory labelled set
/// (<see cref="StratifiedDraw"/>: N per class, a fraction, or all), served in batches whose order is a seeded permutation
/// of (seed, epoch) and whose views get a random resized crop and a horizontal flip (<see cref="BatchedAugmentation"/>
/// with its colour and blur steps off), drawn from the stream (seed, epoch, batch): an epoch is a pure function of
/// (seed, epoch), so a resume needs only a position.
/// </summary>
public sealed class LabelledTrainingSet : IDisposable
{
    private readonly Tensor pixels;       // uint8 n × C × H × W, the subset
    private readonly long[] labels;
    private readonly BatchedAugmentation augmentation;
    private readonly ulong seed;
    private (int epoch, int[] order)? lastOrder;

    /// <summary>Draws the subset <paramref name="config"/> asks for from <paramref name="images"/>.</summary>
    /// <exception cref="ArgumentException">The images have no labels, or a class has fewer images than asked for
    /// (the message names the class and its count).</exception>
    public LabelledTrainingSet(InMemoryImages images, FineTuneConfig config)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(config);
        long[] all = images.Labels ?? throw new ArgumentException("fine-tuning needs labelled training images: this source has no labels");
        int[] pool = [.. all.Select(l => checked((int)l))];
        Indices = config.LabelsPerClass is { } n ? StratifiedDraw.PerClass(pool, n, config.Seed, config.Draw)
            : config.LabelFraction is { } f ? StratifiedDraw.Fraction(pool, f, config.Seed, config.Draw)
            : [.. Enumerable.Range(0, pool.Length)];
        if (Indices.Length < 2) throw new ArgumentException($"fine-tuning needs at least 2 labelled images, the draw has {Indices.Length}");
        using (var rows = tensor(Indices.Select(i => (long)i).ToArray())) pixels = images.Images.index_select(0, rows).DetachFromDisposeScope();
        labels = [.. Indices.Select(i => all[i])];
        Channels = images.Channels;
        augmentation = CropAndFlip(config);
        seed = config.Seed;
    }

    /// <summary>The training views' augmentation: random resized crop (scale <see cref="FineTuneConfig.MinCropScale"/>–1,
    /// ratio 3/4–4/3) to the input size with a flip of probability 0.5, normalised; no colour jitter, grayscale or blur.</summary>
    internal static BatchedAugmentation CropAndFlip(FineTuneConfig config) => new()
    {
        Size = config.InputSize, Scale = (config.MinCropScale, 1.0), JitterProbability = 0, GrayscaleProbability = 0, BlurProbability = 0,
        Hue = 0, Brightness = 0, Contrast = 0, Saturation = 0, Mean = config.Mean, Std = config.Std,
    };

    /// <summary>The test images' transform (the same normalisation, no randomness).</summary>
    internal static BatchedAugmentation Evaluation(FineTuneConfig config) => CropAndFlip(config);

    /// <summary>The indices of the drawn images in the source, ascending.</summary>
    public int[] Indices { get; }

    /// <summary>Number of labelled training images.</summary>
    public int Count => labels.Length;

    /// <summary>Channels of the images.</summary>
    public int Channels { get; }

    /// <summary>Images per class of the subset, by class index.</summary>
    public IReadOnlyDictionary<long, int> PerClass => labels.GroupBy(l => l).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Batches per epoch: the full batches, plus the remainder when it has at least 2 images.</summary>
    public int BatchesPerEpoch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 2);
        return Count / batchSize + (Count % batchSize >= 2 ? 1 : 0);
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
        var x = augmentation.Apply(pixels.index_select(0, tensor(rows)).to(device), ref rng);
        return (x.DetachFromDisposeScope(), tensor(y).to(device).DetachFromDisposeScope());
    }

    /// <summary>The sample order of an epoch (kept for the epoch's batches).</summary>
    private int[] Order(int epoch)
    {
        if (lastOrder is not { } last || last.epoch != epoch) lastOrder = last = (epoch, SplitMix64.For(seed, epoch, 0xF17E).Permutation(Count));
        return last.order;
    }

    /// <summary>Frees the pixels.</summary>
    public void Dispose() => pixels.Dispose();
}
