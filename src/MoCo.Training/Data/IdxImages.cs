using MoCo.Imaging.Datasets;
using MoCo.Imaging.Idx;

namespace MoCo.Training.Data;

/// <summary>
/// Reads IDX image and label files (LeCun's MNIST format, used by Fashion-MNIST; gzipped or not) into one tensor, checking
/// magic numbers and sizes. Which files a source means is <see cref="DataSourceSpec"/>'s and <see cref="IdxSplit"/>'s to say.
/// </summary>
public static class IdxImages
{
    /// <summary>Where Debian's dataset-fashion-mnist installs the files: <see cref="FashionMnist.Directory"/>.</summary>
    public const string FashionMnistDirectory = FashionMnist.Directory;

    /// <summary>Fashion-MNIST's pixel mean and standard deviation (0–1 scale, training set): <see cref="FashionMnist.Mean"/>, <see cref="FashionMnist.Std"/>.</summary>
    public static readonly (double Mean, double Std) FashionMnistStats = (FashionMnist.Mean, FashionMnist.Std);

    /// <summary>The first <paramref name="limit"/> images of an IDX source (<c>fashion-mnist</c>, <c>idx:DIR</c>); without a split in the spec, train when <paramref name="defaultTrain"/>.</summary>
    /// <exception cref="ArgumentException">The spec names image files, which this in-memory loader does not read.</exception>
    public static InMemoryImages Load(DataSourceSpec spec, bool defaultTrain = true, int limit = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (images, labels) = spec.IdxFiles(defaultTrain);
        return Load(images, labels, limit);
    }

    /// <summary>Loads the train (60,000) or test (10,000) split of an MNIST-layout directory: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].</summary>
    public static InMemoryImages LoadSplit(string directory, bool train, int limit = int.MaxValue)
    {
        var (images, labels) = IdxSplit.Locate(directory, train);
        return Load(images, labels, limit);
    }

    /// <summary>Loads an image file (magic 0x00000803, N×H×W bytes) and, optionally, its label file (0x00000801), through
    /// MoCo.Imaging's IDX reader (plain or gzipped, sizes checked), into one tensor.</summary>
    public static InMemoryImages Load(string imagesPath, string? labelsPath, int limit = int.MaxValue)
    {
        if (!File.Exists(imagesPath)) throw new FileNotFoundException($"IDX file not found: {imagesPath}", imagesPath);
        var (n, h, w, pixels) = MoCo.Imaging.Idx.IdxReader.ReadImages(imagesPath);
        if (n <= 0 || h <= 0 || w <= 0 || h > 4096 || w > 4096)
            throw new InvalidDataException($"{imagesPath}: header says {n} images of {h}×{w}");
        long[]? labels = null;
        if (labelsPath is not null)
        {
            if (!File.Exists(labelsPath)) throw new FileNotFoundException($"IDX file not found: {labelsPath}", labelsPath);
            byte[] raw = MoCo.Imaging.Idx.IdxReader.ReadLabels(labelsPath);
            if (raw.Length != n) throw new InvalidDataException($"{labelsPath}: {raw.Length} labels for {n} images in {imagesPath}");
            labels = raw.Select(b => (long)b).ToArray();
        }
        int count = Math.Min(n, limit);
        return InMemoryImages.FromPixels(pixels.AsSpan(0, count * h * w), count, 1, h, w, labels?[..count]);
    }
}
