namespace MoCo.Imaging.Datasets;

/// <summary>
/// A finite, indexable set of images with optional integer labels. Implementations are immutable
/// and thread-safe, so loader workers may call <see cref="Load"/> concurrently.
/// </summary>
public interface IImageDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Class names indexed by label (empty when unlabelled).</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>The label of sample <paramref name="index"/>, or -1 when it has none.</summary>
    int GetLabel(int index);

    /// <summary>A human-readable name of sample <paramref name="index"/> (its path, or "name[index]"), used in error reports.</summary>
    string Describe(int index);

    /// <summary>Decodes sample <paramref name="index"/>; the caller disposes the result.</summary>
    /// <exception cref="ImageDecodeException">The sample's file is bad.</exception>
    DecodedImage Load(int index, ImageDecodeOptions options);
}
