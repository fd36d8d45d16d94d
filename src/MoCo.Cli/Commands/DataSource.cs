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
        if (Directory.Exists(spec) || File.Exists(spec))
            throw new NotSupportedException($"'{spec}': image folders and path lists need the MoCo.Imaging loader, which is not wired into pretraining yet; use fashion-mnist[:train|test] or idx:DIR[:train|test]");
        throw new ArgumentException($"'{spec}' is not a data source: use fashion-mnist[:train|test], idx:DIR[:train|test]");
    }

    /// <summary>Per-channel mean and std for a source (Fashion-MNIST's own statistics; 0.5/0.5 otherwise).</summary>
    internal static (double[] mean, double[] std) Normalisation(string spec, int channels) =>
        spec.StartsWith("fashion-mnist", StringComparison.Ordinal)
            ? ([IdxImages.FashionMnistStats.Mean], [IdxImages.FashionMnistStats.Std])
            : (Enumerable.Repeat(0.5, channels).ToArray(), Enumerable.Repeat(0.5, channels).ToArray());
}
