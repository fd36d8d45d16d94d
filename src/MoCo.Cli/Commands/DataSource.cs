using MoCo.Imaging.Datasets;
using MoCo.Training.Data;

namespace MoCo.Cli.Commands;

/// <summary>What `pretrain` and `ablate` read from a <see cref="DataSourceSpec"/>: IDX data as one in-memory tensor, image files as a dataset for the loader.</summary>
internal static class DataSource
{
    /// <summary>The first <paramref name="limit"/> images of an IDX source, in memory.</summary>
    internal static InMemoryImages Load(DataSourceSpec spec, int limit = int.MaxValue, bool defaultTrain = true) => IdxImages.Load(spec, defaultTrain, limit);

    /// <summary>Image files (a folder or a list), the first <paramref name="limit"/>.</summary>
    internal static IImageDataset Files(DataSourceSpec spec, int limit = int.MaxValue)
    {
        if (!spec.IsFiles) throw new ArgumentException($"'{spec}' is IDX data; with image files to train on, give image files here too (a folder or a .txt/.csv list)");
        var dataset = spec.Open();
        return limit < dataset.Count ? new FirstSamples(dataset, limit) : dataset;
    }

    /// <summary>The first n samples of a dataset.</summary>
    private sealed class FirstSamples(IImageDataset inner, int n) : IImageDataset
    {
        public int Count => n;
        public IReadOnlyList<string> Classes => inner.Classes;
        public int GetLabel(int index) => inner.GetLabel(Check(index));
        public string Describe(int index) => inner.Describe(Check(index));
        public MoCo.Imaging.DecodedImage Load(int index, MoCo.Imaging.ImageDecodeOptions options) => inner.Load(Check(index), options);
        private int Check(int index) => (uint)index < (uint)n ? index : throw new ArgumentOutOfRangeException(nameof(index), index, $"the subset has {n} samples");
    }

    /// <summary>Per-channel mean and std for IDX data: Fashion-MNIST's own statistics, 0.5/0.5 for other IDX data.</summary>
    internal static (double[] mean, double[] std) Normalisation(DataSourceSpec spec, int channels) =>
        spec.Kind == DataSourceKind.FashionMnist
            ? ([FashionMnist.Mean], [FashionMnist.Std])
            : (Enumerable.Repeat(0.5, channels).ToArray(), Enumerable.Repeat(0.5, channels).ToArray());
}
