using System.Security.Cryptography;
using System.Text;
using MoCo.Imaging.Datasets;

namespace MoCo.Extraction.Sources;

/// <summary>
/// The images of a job, in a fixed order: a folder (torchvision's ImageFolder layout when it has class subfolders),
/// a .txt/.csv list (<c>path[,label]</c>), <c>idx:DIR[:train|test]</c> or <c>fashion-mnist[:train|test]</c>
/// (IDX data held in memory). Item k's name is its full path (files) or <c>file[k]</c> (IDX).
/// </summary>
internal sealed class ExtractionSource
{
    /// <summary>Where Debian's dataset-fashion-mnist puts the files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    private ExtractionSource(string spec, IImageDataset dataset, bool inMemory)
    {
        Spec = spec;
        Dataset = dataset;
        InMemory = inMemory;
        Labelled = Enumerable.Range(0, dataset.Count).Any(i => dataset.GetLabel(i) >= 0);
    }

    /// <summary>The source as given (folders and lists as full paths).</summary>
    public string Spec { get; }

    public IImageDataset Dataset { get; }

    /// <summary>True for IDX data (decoded in memory); false for image files (decoded by the workers).</summary>
    public bool InMemory { get; }

    /// <summary>Whether items carry labels (class subfolders, a labelled list, IDX labels).</summary>
    public bool Labelled { get; }

    public int Count => Dataset.Count;

    /// <summary>Item <paramref name="index"/>'s name: its full path, or <c>file[index]</c>.</summary>
    public string Name(int index) => Dataset.Describe(index);

    /// <summary>Item <paramref name="index"/>'s label, or -1.</summary>
    public int Label(int index) => Dataset.GetLabel(index);

    /// <summary>Opens a <c>--data</c> value; every problem is an <see cref="ArgumentException"/> or an IO exception naming it.</summary>
    public static ExtractionSource Open(string spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        if (Directory.Exists(spec))
        {
            var root = Path.GetFullPath(spec);
            var classes = Directory.EnumerateDirectories(root).Any();
            return new ExtractionSource(root, ImageDatasets.FromFolder(root, classSubfolders: classes), inMemory: false);
        }

        if (File.Exists(spec) && (spec.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || spec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)))
        {
            var list = Path.GetFullPath(spec);
            return new ExtractionSource(list, ImageDatasets.FromList(list), inMemory: false);
        }

        var parts = spec.Split(':');
        if (parts[0] == "fashion-mnist" && parts.Length <= 2)
        {
            var train = Train(parts, 1, spec);
            return new ExtractionSource($"fashion-mnist:{(train ? "train" : "test")}", ImageDatasets.FashionMnist(train, FashionMnistDirectory), inMemory: true);
        }

        if (parts[0] == "idx" && parts.Length is 2 or 3)
        {
            var dir = Path.GetFullPath(parts[1]);
            var train = Train(parts, 2, spec);
            var prefix = train ? "train" : "t10k";
            var dataset = ImageDatasets.FromIdx(Find(dir, prefix + "-images-idx3-ubyte"), Find(dir, prefix + "-labels-idx1-ubyte"));
            return new ExtractionSource($"idx:{dir}:{(train ? "train" : "test")}", dataset, inMemory: true);
        }

        throw new ArgumentException($"--data '{spec}' is not a source: give a folder, a .txt/.csv list, idx:DIR[:train|test] or fashion-mnist[:train|test].");
    }

    /// <summary>
    /// SHA-256 over every item's name and label in order: a store remembers it, so resuming over a source that
    /// changed (files added, removed, renamed) is refused instead of mixing two listings.
    /// </summary>
    public string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> label = stackalloc byte[4];
        for (var i = 0; i < Count; i++)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Name(i)));
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(label, Label(i));
            hash.AppendData(label);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool Train(string[] parts, int index, string spec) => parts.Length <= index ? true : parts[index] switch
    {
        "train" => true,
        "test" => false,
        _ => throw new ArgumentException($"'{parts[index]}' in --data '{spec}' is not train or test."),
    };

    private static string Find(string dir, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem })
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"Neither {stem}.gz nor {stem} is in {dir}.");
    }
}
