using MoCo.Imaging.Datasets;
using MoCo.Imaging.Idx;

namespace MoCo.Imaging.Tests.Idx;

public class IdxSplitTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("moco-split-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Touch(string name)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, []);
        return path;
    }

    [Test]
    public void Train_and_test_prefixes_and_the_gzipped_file_first()
    {
        string images = Touch("train-images-idx3-ubyte");
        Touch("train-images-idx3-ubyte.gz");
        string labels = Touch("train-labels-idx1-ubyte");
        string testImages = Touch("t10k-images-idx3-ubyte.gz");
        string testLabels = Touch("t10k-labels-idx1-ubyte.gz");
        Assert.That(IdxSplit.Locate(_dir, train: true), Is.EqualTo((images + ".gz", labels)));
        Assert.That(IdxSplit.Locate(_dir, train: false), Is.EqualTo((testImages, testLabels)));
    }

    [Test]
    public void A_missing_file_names_both_forms_and_the_folder()
    {
        Touch("t10k-images-idx3-ubyte");
        var e = Assert.Throws<FileNotFoundException>(() => IdxSplit.Locate(_dir, train: false))!;
        Assert.That(e.Message, Is.EqualTo($"neither 't10k-labels-idx1-ubyte.gz' nor 't10k-labels-idx1-ubyte' is in '{_dir}'"));
        Assert.That(e.FileName, Is.EqualTo(Path.Combine(_dir, "t10k-labels-idx1-ubyte")));
    }

    [Test]
    public void Debians_fashion_mnist_is_found() =>
        Assert.That(IdxSplit.Locate(FashionMnist.Directory, train: false).Images, Is.EqualTo(Path.Combine(FashionMnist.Directory, "t10k-images-idx3-ubyte.gz")));
}
