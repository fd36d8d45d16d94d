using System.Globalization;
using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Encoders;
using MoCo.MLNet.Probing;

namespace MoCo.Cli.Commands;

/// <summary>
/// Labelled images for <c>moco probe</c>, from any <see cref="DataSourceSpec"/> that carries labels: a folder with class
/// subfolders, a .txt/.csv list with labels, <c>idx:DIR[:train|test]</c>, <c>fashion-mnist[:train|test]</c>. Read with
/// MoCo.Imaging only (no libtorch). Each row is the encoded image (the file's bytes; IDX images are written as PNG) and
/// its class name, which is what the saved model takes.
/// </summary>
internal sealed class ProbeSource
{
    private readonly IImageDataset _dataset;
    private readonly int[] _rows;

    private ProbeSource(IImageDataset dataset, int[] rows, DataSourceSpec spec)
    {
        _dataset = dataset;
        _rows = rows;
        Source = spec;
    }

    /// <summary>The source as parsed.</summary>
    public DataSourceSpec Source { get; }

    /// <summary>The source as given.</summary>
    public string Spec => Source.Text;

    public IReadOnlyList<string> Classes => _dataset.Classes;

    public int Count => _rows.Length;

    /// <summary>Whether the rows are image files (else in-memory IDX images, encoded as PNG).</summary>
    public bool IsFiles => Source.IsFiles;

    /// <summary>Channels and side of IDX images (null for files).</summary>
    public (int Channels, int Size)? NativeShape { get; private init; }

    /// <summary>Opens <paramref name="text"/> (a <see cref="DataSourceSpec"/>); IDX sources default to their train (or test) split.</summary>
    public static ProbeSource Open(string text, bool defaultTrain)
    {
        var spec = DataSourceSpec.Parse(text);
        switch (spec.Kind)
        {
            case DataSourceKind.Folder:
                var folder = Folder(spec);
                return new ProbeSource(folder, Enumerable.Range(0, folder.Count).ToArray(), spec);
            case DataSourceKind.List:
                var list = List(spec);
                return new ProbeSource(list, Enumerable.Range(0, list.Count).ToArray(), spec);
            default:
                var dataset = spec.Open(defaultTrain);
                using (var first = dataset.Load(0, new ImageDecodeOptions(Channels: 0)))
                {
                    return new ProbeSource(dataset, Enumerable.Range(0, dataset.Count).ToArray(), spec) { NativeShape = (first.Channels, first.Height) };
                }
        }
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

    /// <summary>Each row's class index (-1 where unlabelled), in row order, without reading any image.</summary>
    public IEnumerable<int> Labels() => _rows.Select(_dataset.GetLabel);

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
        return new ProbeSource(_dataset, rows, Source) { NativeShape = NativeShape };
    }

    private static IImageDataset Folder(DataSourceSpec spec)
    {
        string root = spec.Path;
        if (Directory.GetDirectories(root).Length == 0)
        {
            throw new ArgumentException($"'{root}' has no class subfolders; a probe needs labelled images (root/<class>/*.jpg|png)");
        }

        var dataset = spec.Open();
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

    private static IImageDataset List(DataSourceSpec spec)
    {
        var dataset = spec.Open();
        if (dataset.Classes.Count == 0)
        {
            throw new ArgumentException($"'{spec.Path}' lists images without labels; a probe needs 'path,label' lines");
        }

        return dataset;
    }
}
