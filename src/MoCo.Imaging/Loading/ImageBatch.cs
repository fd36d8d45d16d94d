using System.Buffers;

namespace MoCo.Imaging.Loading;

/// <summary>
/// One batch from <see cref="ImageLoader"/>: <see cref="ViewCount"/> contiguous float NCHW tensors
/// (N = <see cref="Count"/>) in pooled buffers, with labels and dataset indices. Dispose it to return the buffers.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    private float[][]? _views;

    internal ImageBatch(int capacity, int viewCount, int channels, int size)
    {
        Channels = channels;
        Size = size;
        _views = new float[viewCount][];
        for (int v = 0; v < viewCount; v++)
        {
            _views[v] = ArrayPool<float>.Shared.Rent(Math.Max(1, capacity * channels * size * size));
        }

        LabelBuffer = new int[capacity];
        IndexBuffer = new int[capacity];
    }

    /// <summary>Samples in the batch (bad files skipped, so possibly fewer than the batch size).</summary>
    public int Count { get; internal set; }

    /// <summary>Views per sample: 2 for MoCo pretraining (query, key), 1 for supervised training and extraction.</summary>
    public int ViewCount => Views.Length;

    /// <summary>Channels per view.</summary>
    public int Channels { get; }

    /// <summary>View side (views are square).</summary>
    public int Size { get; }

    /// <summary>The floats of view <paramref name="view"/>: Count x Channels x Size x Size, contiguous.</summary>
    public ReadOnlySpan<float> View(int view) => Views[view].AsSpan(0, Count * Channels * Size * Size);

    /// <summary>Labels (-1 where unlabelled), Count of them.</summary>
    public ReadOnlySpan<int> Labels => LabelBuffer.AsSpan(0, Count);

    /// <summary>Dataset indices of the samples, Count of them.</summary>
    public ReadOnlySpan<int> Indices => IndexBuffer.AsSpan(0, Count);

    internal float[][] Views => _views ?? throw new ObjectDisposedException(nameof(ImageBatch));

    internal int[] LabelBuffer { get; }

    internal int[] IndexBuffer { get; }

    /// <summary>Returns the view buffers to the pool.</summary>
    public void Dispose()
    {
        var views = Interlocked.Exchange(ref _views, null);
        if (views is not null)
        {
            foreach (var v in views)
            {
                ArrayPool<float>.Shared.Return(v);
            }
        }
    }
}
