using MoCo.Imaging.Datasets;

namespace MoCo.Imaging.Idx;

/// <summary>
/// The files of one split of an MNIST-layout folder: <c>{train,t10k}-images-idx3-ubyte</c> and
/// <c>{train,t10k}-labels-idx1-ubyte</c>, each gzipped (<c>.gz</c>, preferred) or not. The one place that finds them,
/// for <see cref="DataSourceSpec"/>, <see cref="ImageDatasets.FashionMnist"/> and MoCo.Training's in-memory loader.
/// </summary>
public static class IdxSplit
{
    /// <summary>The image and label file of the train (60,000 images in Fashion-MNIST) or test (10,000; prefix t10k) split.</summary>
    /// <exception cref="FileNotFoundException">A file is in neither form; the message names the folder (and, for
    /// <see cref="FashionMnist.Directory"/>, the Debian package that installs it).</exception>
    public static (string Images, string Labels) Locate(string directory, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string prefix = train ? "train" : "t10k";
        return (Find(directory, prefix + "-images-idx3-ubyte"), Find(directory, prefix + "-labels-idx1-ubyte"));
    }

    private static string Find(string directory, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem })
        {
            string path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        bool debian = Path.TrimEndingDirectorySeparator(directory) == FashionMnist.Directory;
        throw new FileNotFoundException(
            $"neither '{stem}.gz' nor '{stem}' is in '{directory}'{(debian ? " (Debian's dataset-fashion-mnist installs them; build/setup.sh does)" : string.Empty)}",
            Path.Combine(directory, stem));
    }
}
