using System.Security.Cryptography;
using System.Text;
using MoCo.Imaging.Datasets;

namespace MoCo.Extraction.Sources;

/// <summary>
/// The images of a job, in a fixed order, from a <see cref="DataSourceSpec"/>: a folder (torchvision's ImageFolder
/// layout when it has class subfolders), a .txt/.csv list (<c>path[,label]</c>), <c>idx:DIR[:train|test]</c> or
/// <c>fashion-mnist[:train|test]</c> (IDX data held in memory; train unless the spec says test). Item k's name is its
/// full path (files) or <c>file[k]</c> (IDX).
/// </summary>
internal sealed class ExtractionSource
{
    private ExtractionSource(string spec, IImageDataset dataset, bool inMemory)
    {
        Spec = spec;
        Dataset = dataset;
        InMemory = inMemory;
        Labelled = Enumerable.Range(0, dataset.Count).Any(i => dataset.GetLabel(i) >= 0);
    }

    /// <summary>The source's <see cref="DataSourceSpec.Canonical"/> name with full paths (a store keeps it).</summary>
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
    public static ExtractionSource Open(string text)
    {
        var spec = DataSourceSpec.Parse(text).WithFullPath();
        return new ExtractionSource(spec.Canonical(defaultTrain: true), spec.Open(defaultTrain: true), inMemory: !spec.IsFiles);
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
}
