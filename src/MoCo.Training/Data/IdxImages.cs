namespace MoCo.Training.Data;

/// <summary>
/// Reads IDX image and label files (LeCun's MNIST format, used by Fashion-MNIST; gzipped or not) into memory, checking
/// magic numbers and sizes. Fashion-MNIST from Debian's dataset-fashion-mnist lives in <see cref="FashionMnistDirectory"/>.
/// </summary>
public static class IdxImages
{
    /// <summary>Where Debian's dataset-fashion-mnist installs the files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's pixel mean and standard deviation (0–1 scale, training set).</summary>
    public static readonly (double Mean, double Std) FashionMnistStats = (0.2860, 0.3530);

    /// <summary>Loads the train (60,000) or test (10,000) split of an MNIST-layout directory: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].</summary>
    public static InMemoryImages LoadSplit(string directory, bool train, int limit = int.MaxValue)
    {
        string prefix = train ? "train" : "t10k";
        string images = Find(directory, $"{prefix}-images-idx3-ubyte");
        string labels = Find(directory, $"{prefix}-labels-idx1-ubyte");
        return Load(images, labels, limit);
    }

    private static string Find(string directory, string name)
    {
        foreach (string candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"no {name}[.gz] in {directory}" +
            (directory == FashionMnistDirectory ? " (install Debian's dataset-fashion-mnist: build/setup.sh does)" : ""));
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
