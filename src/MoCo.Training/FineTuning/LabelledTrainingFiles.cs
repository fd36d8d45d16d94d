using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Transforms;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// Labelled training images as files (a folder with class subfolders, or a labelled list), through MoCo.Imaging's
/// loader's one-view form (<see cref="ImageLoader.ForTraining"/>): each image decoded once and augmented once on worker
/// threads with the Pillow-exact <see cref="CropAndFlip"/>, a random resized crop (area
/// <see cref="FineTuneConfig.MinCropScale"/>–1, ratio 3/4–4/3) to the input size and a horizontal flip (p 0.5); an epoch's
/// order and views are a pure function of (seed, epoch). An
/// unreadable file is skipped (its batch one image shorter) and recorded in <see cref="Skipped"/>; the evaluation
/// transform is the 256/224 resize and centre crop (<see cref="EvaluationTransform"/>).
/// </summary>
public sealed class LabelledTrainingFiles : ILabelledTrainingSet
{
    private readonly ImageLoader loader;
    private readonly ImageLoader bankLoader;
    private readonly int[] labels;
    private readonly int channels;
    private readonly int batchSize;

    /// <summary>Draws the subset <paramref name="config"/> asks for from <paramref name="dataset"/>.</summary>
    /// <param name="dataset">Labelled image files (every item labelled, classes by <see cref="FineTuneConfig.ClassNames"/>' indices).</param>
    /// <param name="config">The run's config (budget, draw, seed, input size, normalisation, batch size).</param>
    /// <param name="workers">Loader threads (0: the processor count).</param>
    /// <param name="scaledDecode">DCT-scaled JPEG decoding where every crop keeps the view size (<see cref="LoaderOptions.ScaledJpegDecode"/>).</param>
    /// <exception cref="ArgumentException">An item has no label, or a class has fewer images than asked (named).</exception>
    public LabelledTrainingFiles(IImageDataset dataset, FineTuneConfig config, int workers = 0, bool scaledDecode = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(config);
        var pool = new int[dataset.Count];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = dataset.GetLabel(i);
            if (pool[i] < 0) throw new ArgumentException($"fine-tuning needs labelled training images: {dataset.Describe(i)} has no label (give a folder with class subfolders, or a list of path,label lines)");
            if (pool[i] >= config.Classes) throw new ArgumentException($"{dataset.Describe(i)} has label {pool[i]}, the classifier {config.Classes} classes");
        }
        Indices = config.Budget.Draw(pool, config.Names, config.Seed, config.Draw);
        if (Indices.Length < 2) throw new ArgumentException($"fine-tuning needs at least 2 labelled images, the draw has {Indices.Length}");
        labels = [.. Indices.Select(i => pool[i])];
        channels = config.InChannels;
        batchSize = config.BatchSize;
        var subset = new Subset(dataset, Indices);
        loader = ImageLoader.ForTraining(subset, TrainingTransform(config), channels, new LoaderOptions(
            BatchSize: config.BatchSize, Workers: workers, Seed: unchecked((int)config.Seed), DropLast: false, ReplaceBadFiles: false, ScaledJpegDecode: scaledDecode));
        bankLoader = ImageLoader.ForExtraction(subset, EvaluationTransform(config), channels,
            new LoaderOptions(BatchSize: 256, Workers: workers, DropLast: false, Shuffle: false, ScaledJpegDecode: scaledDecode));
        Unaugmented = new LoaderLabelledImages(bankLoader, subset.Count, config.Classes);
    }

    /// <summary>The training views' transform: a random resized crop (area <see cref="FineTuneConfig.MinCropScale"/>–1) to the
    /// input size, a horizontal flip (p 0.5), the run's normalisation.</summary>
    internal static CropAndFlip TrainingTransform(FineTuneConfig config) => new()
    {
        Crop = new RandomResizedCrop(config.InputSize, config.MinCropScale, 1.0), FlipProbability = 0.5, Mean = Floats(config.Mean), Std = Floats(config.Std),
    };

    /// <summary>The evaluation transform of image files: resize the shorter side to <see cref="EvalTransform.ResizeFor"/>
    /// the input size (256 for 224), centre crop, the run's normalisation (what the exported classifier's metadata says).</summary>
    public static EvalTransform EvaluationTransform(FineTuneConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new(config.SmallImages ? config.InputSize : EvalTransform.ResizeFor(config.InputSize), config.InputSize) { Mean = Floats(config.Mean), Std = Floats(config.Std) };
    }

    /// <inheritdoc/>
    public int[] Indices { get; }

    /// <inheritdoc/>
    public int Count => labels.Length;

    /// <inheritdoc/>
    public int Channels => channels;

    /// <inheritdoc/>
    public IReadOnlyDictionary<long, int> PerClass => labels.GroupBy(l => (long)l).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <inheritdoc/>
    public ILabelledImages Unaugmented { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Skipped => [.. loader.Skipped.Concat(bankLoader.Skipped).Select(s => $"{s.Sample}: {s.Reason}").Distinct()];

    /// <inheritdoc/>
    public int BatchesPerEpoch(int batchSize) => LabelledTrainingSet.Batches(Count, batchSize);

    /// <inheritdoc/>
    public IEnumerable<(Tensor images, Tensor labels)> Epoch(int epoch, int batchSize, Device device)
    {
        if (batchSize != this.batchSize) throw new ArgumentException($"the loader makes batches of {this.batchSize}, the run asked for {batchSize}");
        foreach (ImageBatch batch in loader.Epoch(epoch))
        {
            (Tensor, Tensor) item;
            using (batch)
            {
                if (batch.Count < 2) continue;   // BatchNorm in training needs two images; the in-memory set drops such a remainder too
                long[] shape = [batch.Count, batch.Channels, batch.Size, batch.Size];
                var y = new long[batch.Count];
                for (int i = 0; i < y.Length; i++) y[i] = batch.Labels[i];
                using var scope = NewDisposeScope();
                item = (LoaderViewPairSource.ToDevice(batch.View(0), shape, device), tensor(y).to(device).DetachFromDisposeScope());   // owned by the caller
            }
            yield return item;
        }
    }

    /// <summary>Nothing native is held (the loaders' threads end with each epoch's enumeration).</summary>
    public void Dispose() { }

    private static float[] Floats(double[] values) => [.. values.Select(v => (float)v)];

    /// <summary>The drawn items of a dataset, in the draw's (ascending) order.</summary>
    private sealed class Subset(IImageDataset inner, int[] indices) : IImageDataset
    {
        public int Count => indices.Length;
        public IReadOnlyList<string> Classes => inner.Classes;
        public int GetLabel(int index) => inner.GetLabel(indices[index]);
        public string Describe(int index) => inner.Describe(indices[index]);
        public DecodedImage Load(int index, ImageDecodeOptions options) => inner.Load(indices[index], options);
    }
}
