using MoCo.Training.Data;

namespace MoCo.Cli.Commands;

/// <summary>Parses a data-source argument: <c>fashion-mnist[:train|test]</c> (Debian's copy) or <c>idx:DIR[:train|test]</c>.</summary>
internal static class DataSource
{
    internal static InMemoryImages Load(string spec, int limit = int.MaxValue, bool defaultTrain = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        string[] parts = spec.Split(':');
        bool Split(int index) => parts.Length <= index ? defaultTrain : parts[index] switch
        {
            "train" => true,
            "test" => false,
            _ => throw new ArgumentException($"'{parts[index]}' in '{spec}' is not train or test"),
        };
        if (parts[0] == "fashion-mnist")
            return IdxImages.LoadSplit(IdxImages.FashionMnistDirectory, Split(1), limit);
        if (parts[0] == "idx" && parts.Length >= 2)
            return IdxImages.LoadSplit(parts[1], Split(2), limit);
        throw new ArgumentException($"'{spec}' is not a data source: use fashion-mnist[:train|test], idx:DIR[:train|test], a folder, or a .txt/.csv list");
    }

    /// <summary>Whether <paramref name="spec"/> names image files (a folder, or a .txt/.csv list of paths) rather than IDX data.</summary>
    internal static bool IsFiles(string spec) => Directory.Exists(spec) || (File.Exists(spec) &&
        (spec.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || spec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Image files: root/&lt;class&gt;/* (classes sorted; flat folders are unlabelled) or a .txt/.csv list, first <paramref name="limit"/>.</summary>
    internal static MoCo.Imaging.Datasets.IImageDataset Files(string spec, int limit = int.MaxValue)
    {
        var dataset = Directory.Exists(spec)
            ? MoCo.Imaging.Datasets.ImageDatasets.FromFolder(spec, classSubfolders: Directory.EnumerateDirectories(spec).Any())
            : MoCo.Imaging.Datasets.ImageDatasets.FromList(spec);
        if (dataset.Count == 0) throw new ArgumentException($"'{spec}' holds no .jpg/.jpeg/.png/.webp/.bmp/.gif images");
        return limit < dataset.Count ? new FirstSamples(dataset, limit) : dataset;
    }

    /// <summary>The first n samples of a dataset.</summary>
    private sealed class FirstSamples(MoCo.Imaging.Datasets.IImageDataset inner, int n) : MoCo.Imaging.Datasets.IImageDataset
    {
        public int Count => n;
        public IReadOnlyList<string> Classes => inner.Classes;
        public int GetLabel(int index) => inner.GetLabel(Check(index));
        public string Describe(int index) => inner.Describe(Check(index));
        public MoCo.Imaging.DecodedImage Load(int index, MoCo.Imaging.ImageDecodeOptions options) => inner.Load(Check(index), options);
        private int Check(int index) => (uint)index < (uint)n ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"the subset has {n} samples");
    }

    /// <summary>Per-channel mean and std for a source (Fashion-MNIST's own statistics; 0.5/0.5 otherwise).</summary>
    internal static (double[] mean, double[] std) Normalisation(string spec, int channels) =>
        spec.StartsWith("fashion-mnist", StringComparison.Ordinal)
            ? ([IdxImages.FashionMnistStats.Mean], [IdxImages.FashionMnistStats.Std])
            : (Enumerable.Repeat(0.5, channels).ToArray(), Enumerable.Repeat(0.5, channels).ToArray());
}
