using MoCo.Imaging.Datasets;
using MoCo.Imaging.Idx;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Imaging.Tests.Idx;

public class IdxSplitTests
{
    private static string Touch(TempDir temp, string name)
    {
        string path = temp.File(name);
        File.WriteAllBytes(path, []);
        return path;
    }

    [Test]
    public void Train_and_test_prefixes_and_the_gzipped_file_first()
    {
        using var temp = new TempDir();
        string images = Touch(temp, "train-images-idx3-ubyte");
        Touch(temp, "train-images-idx3-ubyte.gz");
        string labels = Touch(temp, "train-labels-idx1-ubyte");
        string testImages = Touch(temp, "t10k-images-idx3-ubyte.gz");
        string testLabels = Touch(temp, "t10k-labels-idx1-ubyte.gz");
        Assert.That(IdxSplit.Locate(temp.Path, train: true), Is.EqualTo((images + ".gz", labels)));
        Assert.That(IdxSplit.Locate(temp.Path, train: false), Is.EqualTo((testImages, testLabels)));
    }

    [Test]
    public void A_missing_file_names_both_forms_and_the_folder()
    {
        using var temp = new TempDir();
        Touch(temp, "t10k-images-idx3-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => IdxSplit.Locate(temp.Path, train: false))!;
        Assert.That(e.Message, Is.EqualTo($"neither 't10k-labels-idx1-ubyte.gz' nor 't10k-labels-idx1-ubyte' is in '{temp.Path}'"));
        Assert.That(e.FileName, Is.EqualTo(Path.Combine(temp.Path, "t10k-labels-idx1-ubyte")));
    }

    [Test]
    public void Debians_fashion_mnist_is_found() =>
        Assert.That(IdxSplit.Locate(FashionMnist.Directory, train: false).Images, Is.EqualTo(Path.Combine(FashionMnist.Directory, "t10k-images-idx3-ubyte.gz")));
}
