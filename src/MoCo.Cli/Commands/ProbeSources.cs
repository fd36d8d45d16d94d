using System.Globalization;
using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Encoders;
using MoCo.MLNet.Probing;

namespace MoCo.Cli.Commands;

/// <summary>
/// Labelled images for <c>moco probe</c>, from the sources <c>moco pretrain --data</c> takes: a folder with class
/// subfolders, a .txt/.csv list with labels, <c>idx:DIR[:train|test]</c>, <c>fashion-mnist[:train|test]</c>. Read with
/// MoCo.Imaging only (no libtorch). Each row is the encoded image (the file's bytes; IDX images are written as PNG) and
/// its class name, which is what the saved model takes.
/// </summary>
internal sealed class ProbeSource
{
    private readonly IImageDataset _dataset;
    private readonly int[] _rows;

    private ProbeSource(IImageDataset dataset, int[] rows, string spec)
    {
        _dataset = dataset;
        _rows = rows;
        Spec = spec;
    }

    public string Spec { get; }

    public IReadOnlyList<string> Classes => _dataset.Classes;

    public int Count => _rows.Length;

    /// <summary>Whether the rows are image files (else in-memory IDX images, encoded as PNG).</summary>
    public bool IsFiles => DataSource.IsFiles(Spec);

    /// <summary>Channels and side of IDX images (null for files).</summary>
    public (int Channels, int Size)? NativeShape { get; private init; }

    /// <summary>Opens <paramref name="spec"/>; IDX sources default to their train (or test) split.</summary>
    public static ProbeSource Open(string spec, bool defaultTrain)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        if (DataSource.IsFiles(spec))
        {
            var files = Directory.Exists(spec) ? Folder(spec) : List(spec);
            return new ProbeSource(files, Enumerable.Range(0, files.Count).ToArray(), spec);
        }

        var parts = spec.Split(':');
        bool Train(int index) => parts.Length <= index ? defaultTrain : parts[index] switch
        {
            "train" => true,
            "test" => false,
            _ => throw new ArgumentException($"'{parts[index]}' in '{spec}' is not train or test"),
        };
        IImageDataset dataset = parts[0] switch
        {
            "fashion-mnist" when parts.Length <= 2 => ImageDatasets.FashionMnist(Train(1)),
            "idx" when parts.Length is 2 or 3 => Idx(parts[1], Train(2)),
            _ => throw new ArgumentException($"'{spec}' is not a data source: use a folder with class subfolders, a .txt/.csv list with labels, idx:DIR[:train|test] or fashion-mnist[:train|test]"),
        };
        using var first = dataset.Load(0, new ImageDecodeOptions(Channels: 0));
        return new ProbeSource(dataset, Enumerable.Range(0, dataset.Count).ToArray(), spec) { NativeShape = (first.Channels, first.Height) };
    }

    /// <summary>A seeded random subset of <paramref name="count"/> rows (kept in source order); all rows when there are fewer.</summary>
    public ProbeSource Sample(int count, int seed) => count >= Count ? this : Subset(Shuffled(seed)[..count]);

    /// <summary>Splits off a seeded random <paramref name="fraction"/> of the rows: (the rest, the fraction).</summary>
    public (ProbeSource Train, ProbeSource Test) Split(double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentException($"--split must lie strictly between 0 and 1, got {fraction.ToString(CultureInfo.InvariantCulture)}");
        }

        var order = Shuffled(seed);
        var held = Math.Clamp((int)Math.Round(Count * fraction), 1, Count - 1);
        return (Subset(order[held..]), Subset(order[..held]));
    }

    /// <summary>The rows: encoded image and class name, read lazily (each enumeration reads the files again).</summary>
    public IEnumerable<ProbeRow> Rows()
    {
        foreach (var i in _rows)
        {
            var label = _dataset.GetLabel(i);
            if (label < 0)
            {
                throw new ArgumentException($"'{Spec}': {_dataset.Describe(i)} has no label; a probe needs labelled images");
            }

            yield return new ProbeRow { ImageSource = Encoded(i), Label = _dataset.Classes[label] };
        }
    }

    /// <summary>Each row's file path (or IDX name[index]), in row order.</summary>
    public IEnumerable<string> Describe() => _rows.Select(_dataset.Describe);

    private byte[] Encoded(int index)
    {
        if (IsFiles)
        {
            return File.ReadAllBytes(_dataset.Describe(index));
        }

        using var image = _dataset.Load(index, new ImageDecodeOptions(Channels: 0));
        return PngEncoder.Encode(image);
    }

    private int[] Shuffled(int seed)
    {
        var order = (int[])_rows.Clone();
        new Random(seed).Shuffle(order);
        return order;
    }

    private ProbeSource Subset(int[] rows)
    {
        Array.Sort(rows);
        return new ProbeSource(_dataset, rows, Spec) { NativeShape = NativeShape };
    }

    private static IImageDataset Folder(string root)
    {
        var subfolders = Directory.GetDirectories(root);
        if (subfolders.Length == 0)
        {
            throw new ArgumentException($"'{root}' has no class subfolders; a probe needs labelled images (root/<class>/*.jpg|png)");
        }

        var dataset = ImageDatasets.FromFolder(root, classSubfolders: true);
        var counts = new int[dataset.Classes.Count];
        for (var i = 0; i < dataset.Count; i++)
        {
            counts[dataset.GetLabel(i)]++;
        }

        var empty = dataset.Classes.Where((_, c) => counts[c] == 0).ToArray();
        if (empty.Length > 0)
        {
            throw new ArgumentException($"class folder(s) {string.Join(", ", empty.Select(e => $"'{Path.Combine(root, e)}'"))} hold no .jpg/.jpeg/.png images");
        }

        return dataset;
    }

    private static IImageDataset List(string path)
    {
        var dataset = ImageDatasets.FromList(path);
        if (dataset.Classes.Count == 0)
        {
            throw new ArgumentException($"'{path}' lists images without labels; a probe needs 'path,label' lines");
        }

        return dataset;
    }

    private static IImageDataset Idx(string directory, bool train)
    {
        string prefix = train ? "train" : "t10k";
        return ImageDatasets.FromIdx(Find(directory, prefix + "-images-idx3-ubyte"), Find(directory, prefix + "-labels-idx1-ubyte"));
    }

    private static string Find(string directory, string stem) =>
        new[] { stem + ".gz", stem }.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"neither '{stem}.gz' nor '{stem}' is in '{directory}'");
}
