using TorchSharp;

namespace MoCo.Training.Data;

/// <summary>Two augmented views of each image of a batch, for MoCo: query and key, each N×C×H×W float (normalised), and
/// the images' indices in the data set (Int64 [N], on the views' device; the memory bank's rows).</summary>
public sealed class ViewPairBatch(Tensor query, Tensor key, int index, Tensor? indices = null) : IDisposable
{
    /// <summary>The query views.</summary>
    public Tensor Query { get; } = query;
    /// <summary>The key views (same images, other augmentations).</summary>
    public Tensor Key { get; } = key;
    /// <summary>The batch's position in its epoch.</summary>
    public int Index { get; } = index;
    /// <summary>Each image's index in the data set (Int64 [N]), or null where the source does not know them.</summary>
    public Tensor? Indices { get; } = indices;

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Query.Dispose();
        Key.Dispose();
        Indices?.Dispose();
    }
}

/// <summary>
/// Where pretraining batches come from. An epoch's batches, sample indices included, must be a pure function of
/// (seed, epoch): a resumed run asks for the same epoch from a later batch and must get exactly what it would have got.
/// </summary>
public interface IViewPairSource
{
    /// <summary>Images per epoch before batching.</summary>
    int Count { get; }

    /// <summary>Channels, height and width of a view.</summary>
    (int channels, int height, int width) ViewShape { get; }

    /// <summary>Full batches per epoch (the last partial batch is dropped: MoCo's queue needs equal batches).</summary>
    int BatchesPerEpoch(int batchSize);

    /// <summary>The batches of <paramref name="epoch"/> from <paramref name="startBatch"/> on, on <paramref name="device"/>.</summary>
    IEnumerable<ViewPairBatch> Epoch(int epoch, int startBatch, int batchSize, Device device);

    /// <summary>Samples skipped so far because they could not be read (description and reason); none for in-memory data.</summary>
    IReadOnlyCollection<string> Skipped => [];

    /// <summary>A line for the start of a run about the views' augmentation: the steps of the preset's recipe this
    /// source leaves out, and those that do nothing on its data; null when it does the whole recipe as written.</summary>
    string? AugmentationNote => null;
}
