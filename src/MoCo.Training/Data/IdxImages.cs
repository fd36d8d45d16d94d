using System.Buffers.Binary;
using System.IO.Compression;

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

    /// <summary>Loads an image file (magic 0x00000803, N×H×W bytes) and, optionally, its label file (0x00000801).</summary>
    public static InMemoryImages Load(string imagesPath, string? labelsPath, int limit = int.MaxValue)
    {
        byte[] raw = ReadAll(imagesPath);
        if (raw.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(raw) != 0x803)
            throw new InvalidDataException($"{imagesPath}: not an IDX image file (magic 0x00000803 expected)");
        int n = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4)), h = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(8)), w = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(12));
        if (n <= 0 || h <= 0 || w <= 0 || h > 4096 || w > 4096 || (long)n * h * w != raw.Length - 16)
            throw new InvalidDataException($"{imagesPath}: header says {n} images of {h}×{w}, the file holds {raw.Length - 16} pixel bytes");
        long[]? labels = null;
        if (labelsPath is not null)
        {
            byte[] rawLabels = ReadAll(labelsPath);
            if (rawLabels.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(rawLabels) != 0x801)
                throw new InvalidDataException($"{labelsPath}: not an IDX label file (magic 0x00000801 expected)");
            int m = BinaryPrimitives.ReadInt32BigEndian(rawLabels.AsSpan(4));
            if (m != n || rawLabels.Length - 8 != m)
                throw new InvalidDataException($"{labelsPath}: {m} labels in a file of {rawLabels.Length - 8} bytes for {n} images");
            labels = rawLabels.AsSpan(8).ToArray().Select(b => (long)b).ToArray();
        }
        int count = Math.Min(n, limit);
        return InMemoryImages.FromPixels(raw.AsSpan(16, count * h * w), count, 1, h, w, labels?[..count]);
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var memory = new MemoryStream();
        try
        {
            stream.CopyTo(memory);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: corrupt gzip data ({e.Message})", e);
        }
        return memory.ToArray();
    }
}
