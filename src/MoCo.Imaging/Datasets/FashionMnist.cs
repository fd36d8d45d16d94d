namespace MoCo.Imaging.Datasets;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017) as Debian's <c>dataset-fashion-mnist</c> installs it: where the files
/// are, the class names and the pixel statistics. <c>fashion-mnist[:train|test]</c> in a <see cref="DataSourceSpec"/>
/// is <c>idx:<see cref="Directory"/></c> with these class names.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's dataset-fashion-mnist installs the IDX files (build/setup.sh installs the package).</summary>
    public const string Directory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Pixel mean of the training set, 0–1 scale.</summary>
    public const double Mean = 0.2860;

    /// <summary>Pixel standard deviation of the training set, 0–1 scale.</summary>
    public const double Std = 0.3530;

    /// <summary>The class names, by label (the dataset's README).</summary>
    public static IReadOnlyList<string> Classes { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}
