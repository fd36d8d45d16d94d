using System.Collections.Concurrent;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Loading;

/// <summary>
/// Parallel batch loader: worker threads decode and augment whole batches ahead of the consumer
/// (at most Workers + Prefetch batches in flight) and the consumer receives them in order.
/// Every random draw comes from (seed, epoch, dataset index), so an epoch's batches are identical
/// whatever the thread count, and an epoch can be resumed from any batch.
/// </summary>
public sealed class ImageLoader
{
    private readonly IImageDataset _dataset;
    private readonly LoaderOptions _options;
    private readonly Action<DecodedImage, Random, ImageBatch, int> _fill;
    private readonly int _views;
    private readonly int _channels;
    private readonly int _size;
    private readonly ImageDecodeOptions _decode;
    private readonly ConcurrentQueue<(int Index, string Sample, string Reason)> _skipped = new();
    private readonly ConcurrentDictionary<int, bool> _knownBad = new();

    /// <summary>Substitutes tried for one bad file before its slot is left empty.</summary>
    private const int ReplacementTries = 8;

    private ImageLoader(IImageDataset dataset, LoaderOptions options, int views, int channels, int size, ImageDecodeOptions decode, Action<DecodedImage, Random, ImageBatch, int> fill)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Workers);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Prefetch);
        _dataset = dataset;
        _options = options;
        _views = views;
        _channels = channels;
        _size = size;
        _decode = decode;
        _fill = fill;
    }

    /// <summary>Two augmented views (query, key) per image, for MoCo pretraining.</summary>
    /// <param name="dataset">The images.</param>
    /// <param name="augmentation">The recipe, e.g. <see cref="MoCoAugmentation.V2"/>.</param>
    /// <param name="channels">Model input channels: 1 (colour converted as PIL's convert('L')) or 3 (gray replicated); default 3.</param>
    /// <param name="options">Defaults to <c>new LoaderOptions()</c>.</param>
    public static ImageLoader ForPretraining(IImageDataset dataset, MoCoAugmentation augmentation, int channels = 3, LoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(augmentation);
        CheckNormalization(augmentation.Mean, augmentation.Std, channels);
        int plane = channels * augmentation.Crop.Size * augmentation.Crop.Size;
        options ??= new LoaderOptions();
        var decode = new ImageDecodeOptions(Channels: channels, MinShorterSide: options.ScaledJpegDecode ? augmentation.Crop.MinSourceShorterSide : 0, Decoder: options.Decoder);
        return new ImageLoader(dataset, options, 2, channels, augmentation.Crop.Size, decode, (image, rng, batch, slot) =>
        {
            for (int v = 0; v < 2; v++)
            {
                var p = augmentation.Sample(image.Width, image.Height, rng);
                augmentation.Apply(image, p, batch.Views[v].AsSpan(slot * plane, plane));
            }
        });
    }

    /// <summary>
    /// One augmented view per image (decoded once, augmented once), for supervised training such as fine-tuning: each
    /// sample's crop and flip are drawn from (seed, epoch, index) as the pretraining views are, so an epoch's batches are
    /// the same whatever the thread count and an epoch can be resumed from any batch.
    /// </summary>
    /// <param name="dataset">The images.</param>
    /// <param name="transform">Random resized crop, flip and normalisation.</param>
    /// <param name="channels">1 or 3; default 3.</param>
    /// <param name="options">Defaults to a seeded shuffle with the last batch kept (<c>new LoaderOptions(DropLast: false)</c>).</param>
    public static ImageLoader ForTraining(IImageDataset dataset, CropAndFlip transform, int channels = 3, LoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transform);
        CheckNormalization(transform.Mean, transform.Std, channels);
        int plane = channels * transform.Crop.Size * transform.Crop.Size;
        options ??= new LoaderOptions(DropLast: false);
        var decode = new ImageDecodeOptions(Channels: channels, MinShorterSide: options.ScaledJpegDecode ? transform.Crop.MinSourceShorterSide : 0, Decoder: options.Decoder);
        return new ImageLoader(dataset, options, 1, channels, transform.Crop.Size, decode, (image, rng, batch, slot) =>
            transform.Apply(image, transform.Sample(image.Width, image.Height, rng), batch.Views[0].AsSpan(slot * plane, plane)));
    }

    /// <summary>One evaluation view per image, in dataset order with the last batch kept, for feature extraction.</summary>
    /// <param name="dataset">The images.</param>
    /// <param name="transform">Resize + centre crop + normalise.</param>
    /// <param name="channels">1 or 3; default 3.</param>
    /// <param name="options">Defaults to no shuffle, last batch kept.</param>
    public static ImageLoader ForExtraction(IImageDataset dataset, EvalTransform transform, int channels = 3, LoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transform);
        int plane = channels * transform.CropSize * transform.CropSize;
        CheckNormalization(transform.Mean, transform.Std, channels);
        options ??= new LoaderOptions(DropLast: false, Shuffle: false);
        var decode = new ImageDecodeOptions(Channels: channels, MinShorterSide: options.ScaledJpegDecode ? transform.ResizeShorterSide : 0, Decoder: options.Decoder);
        return new ImageLoader(dataset, options, 1, channels, transform.CropSize, decode, (image, _, batch, slot) =>
            transform.Apply(image, batch.Views[0].AsSpan(slot * plane, plane)));
    }

    /// <summary>A recipe whose mean/std do not fit the channels fails here, not later on a worker thread.</summary>
    private static void CheckNormalization(IReadOnlyList<float> mean, IReadOnlyList<float> std, int channels)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3.");
        }

        if (mean.Count != channels || std.Count != channels)
        {
            throw new ArgumentException($"the recipe normalises with {mean.Count} means and {std.Count} stds, but the loader makes {channels}-channel views (set Mean/Std, e.g. [0.5] for gray).", nameof(channels));
        }
    }

    /// <summary>Files skipped so far, each once: dataset index, its description, and why.</summary>
    public IReadOnlyCollection<(int Index, string Sample, string Reason)> Skipped => _skipped.ToArray();

    /// <summary>Batches per epoch under the current options.</summary>
    public int BatchesPerEpoch => _options.DropLast ? _dataset.Count / _options.BatchSize : (_dataset.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>The order of dataset indices for <paramref name="epoch"/>: a Fisher-Yates shuffle seeded by (Seed, epoch), or 0..N-1 without shuffling. Record it to audit or resume.</summary>
    public int[] EpochOrder(int epoch)
    {
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        if (_options.Shuffle)
        {
            new Random(SeedMix.Mix(_options.Seed, epoch, -1)).Shuffle(order);
        }

        return order;
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/>, starting at batch <paramref name="startBatch"/> (to resume).
    /// Dispose each batch after use. Workers stop when the enumeration is disposed.
    /// </summary>
    public IEnumerable<ImageBatch> Epoch(int epoch, int startBatch = 0)
    {
        int[] order = EpochOrder(epoch);
        int total = BatchesPerEpoch;
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        int workers = _options.Workers == 0 ? Environment.ProcessorCount : _options.Workers;
        using var cts = new CancellationTokenSource();
        using var slots = new SemaphoreSlim(workers + _options.Prefetch);
        var ready = new ConcurrentDictionary<int, TaskCompletionSource<ImageBatch>>();
        TaskCompletionSource<ImageBatch> Slot(int b) => ready.GetOrAdd(b, _ => new TaskCompletionSource<ImageBatch>(TaskCreationOptions.RunContinuationsAsynchronously));
        int next = startBatch - 1;

        void Work()
        {
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    slots.Wait(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                int b = Interlocked.Increment(ref next);
                if (b >= total)
                {
                    slots.Release();
                    return;
                }

                try
                {
                    Slot(b).TrySetResult(Build(order, b, epoch));
                }
                catch (Exception ex)
                {
                    Slot(b).TrySetException(ex);
                }
            }
        }

        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(Work) { IsBackground = true, Name = "MoCo.Imaging loader" }).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        try
        {
            for (int b = startBatch; b < total; b++)
            {
                var batch = Slot(b).Task.GetAwaiter().GetResult();
                ready.TryRemove(b, out _);
                slots.Release();
                yield return batch;
            }
        }
        finally
        {
            cts.Cancel();
            foreach (var t in threads)
            {
                t.Join();
            }

            foreach (var pending in ready.Values)
            {
                if (pending.Task.IsCompletedSuccessfully)
                {
                    pending.Task.Result.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// Decodes sample <paramref name="index"/>; if it is bad (and bad files are skipped), reports it and, with
    /// <see cref="LoaderOptions.ReplaceBadFiles"/>, tries substitutes drawn from (seed, epoch, index). Null: slot stays empty.
    /// </summary>
    private DecodedImage? LoadOrReplace(int index, int epoch, out int used)
    {
        used = index;
        var image = TryLoad(index);
        if (image is not null || !_options.ReplaceBadFiles)
        {
            return image;
        }

        var draws = new Random(SeedMix.Mix(_options.Seed, epoch, -2 - index));
        for (int t = 0; t < ReplacementTries && image is null; t++)
        {
            used = draws.Next(_dataset.Count);
            image = TryLoad(used);
        }

        return image;
    }

    private DecodedImage? TryLoad(int index)
    {
        if (_knownBad.ContainsKey(index))
        {
            return null;
        }

        try
        {
            return _dataset.Load(index, _decode);
        }
        catch (ImageDecodeException ex) when (_options.SkipBadFiles)
        {
            if (_knownBad.TryAdd(index, true))
            {
                _skipped.Enqueue((index, _dataset.Describe(index), ex.Reason));
            }

            return null;
        }
    }

    private ImageBatch Build(int[] order, int b, int epoch)
    {
        int start = b * _options.BatchSize;
        int n = Math.Min(_options.BatchSize, order.Length - start);
        var batch = new ImageBatch(n, _views, _channels, _size);
        try
        {
            int slot = 0;
            for (int k = 0; k < n; k++)
            {
                int index = order[start + k];
                var image = LoadOrReplace(index, epoch, out int used);
                if (image is null)
                {
                    continue;
                }

                using (image)
                {
                    // Each sample's draws depend only on (seed, epoch, index): thread-count independent.
                    var rng = new Random(SeedMix.Mix(_options.Seed, epoch, index));
                    _fill(image, rng, batch, slot);
                }

                batch.LabelBuffer[slot] = _dataset.GetLabel(used);
                batch.IndexBuffer[slot] = used;
                slot++;
            }

            batch.Count = slot;
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }
}
