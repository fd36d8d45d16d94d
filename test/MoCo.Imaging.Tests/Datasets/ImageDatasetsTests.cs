using MoCo.Imaging.Datasets;
using MoCo.Imaging.Tests.Fixtures;

namespace MoCo.Imaging.Tests.Datasets;

public class ImageDatasetsTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("moco-ds-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Put(string relative, string fixture = "rgb.png")
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(PythonFixtures.Make("make_decoding_fixtures.py"), fixture), path);
        return path;
    }

    [Test]
    public void Image_folder_sorts_classes_ordinally_and_finds_files_recursively()
    {
        Put("root/dog/b.png");
        Put("root/dog/a.JPG", "rgb.jpg");
        Put("root/Cat/x/deep.png");
        Put("root/Cat/z.jpeg", "gray.jpg");
        File.WriteAllText(Path.Combine(_dir, "root/Cat/notes.txt"), "not an image");
        Directory.CreateDirectory(Path.Combine(_dir, "root/empty"));

        var ds = ImageDatasets.FromFolder(Path.Combine(_dir, "root"));

        Assert.That(ds.Classes, Is.EqualTo(new[] { "Cat", "dog", "empty" })); // ordinal: upper case first, as Python's sorted()
        Assert.That(Enumerable.Range(0, ds.Count).Select(i => Path.GetRelativePath(Path.Combine(_dir, "root"), ds.Describe(i))),
            Is.EqualTo(new[] { "Cat/x/deep.png", "Cat/z.jpeg", "dog/a.JPG", "dog/b.png" }));
        Assert.That(Enumerable.Range(0, ds.Count).Select(ds.GetLabel), Is.EqualTo(new[] { 0, 0, 1, 1 }));
        using var image = ds.Load(1, ImageDecodeOptions.Default);
        Assert.That((image.Width, image.Height, image.Channels), Is.EqualTo((67, 45, 1)));
    }

    [Test]
    public void Flat_folder_is_recursive_stable_and_unlabelled()
    {
        Put("flat/b/2.png");
        Put("flat/a.png");
        Put("flat/b/1.png");
        var ds = ImageDatasets.FromFolder(Path.Combine(_dir, "flat"), classSubfolders: false);
        Assert.That(Enumerable.Range(0, ds.Count).Select(i => Path.GetRelativePath(Path.Combine(_dir, "flat"), ds.Describe(i))),
            Is.EqualTo(new[] { "a.png", "b/1.png", "b/2.png" }));
        Assert.That(Enumerable.Range(0, ds.Count).Select(ds.GetLabel), Is.All.EqualTo(-1));
    }

    [Test]
    public void Folder_without_images_is_an_error()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "none/a"));
        Assert.That(() => ImageDatasets.FromFolder(Path.Combine(_dir, "none")), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("holds no"));
        Assert.That(() => ImageDatasets.FromFolder(Path.Combine(_dir, "missing")), Throws.InstanceOf<DirectoryNotFoundException>());
    }

    [Test]
    public void Csv_list_with_header_resolves_relative_paths_and_reads_labels()
    {
        string a = Put("imgs/a.png");
        string list = Path.Combine(_dir, "list.csv");
        File.WriteAllText(list, $"path,label\nimgs/a.png,3\n\n# comment\n{a},1\n");
        var ds = ImageDatasets.FromList(list);
        Assert.That(ds.Count, Is.EqualTo(2));
        Assert.That(ds.Describe(0), Is.EqualTo(a));
        Assert.That(new[] { ds.GetLabel(0), ds.GetLabel(1) }, Is.EqualTo(new[] { 3, 1 }));
        Assert.That(ds.Classes, Has.Count.EqualTo(4));
    }

    [Test]
    public void Text_list_without_labels_and_mixed_lists()
    {
        string list = Path.Combine(_dir, "list.txt");
        File.WriteAllText(list, "x.png\ny.png\n");
        var ds = ImageDatasets.FromList(list);
        Assert.That(new[] { ds.GetLabel(0), ds.GetLabel(1) }, Is.All.EqualTo(-1));

        File.WriteAllText(list, "x.png 1\ny.png\n");
        Assert.That(() => ImageDatasets.FromList(list), Throws.InstanceOf<InvalidDataException>().With.Message.Contains(":2:"));
    }

    [Test]
    public void Arrays_load_with_channel_conversion_as_pil()
    {
        // Two 1x2 RGB images; gray by PIL's L = (19595 R + 38470 G + 7471 B + 2^15) >> 16.
        byte[] pixels = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        var ds = ImageDatasets.FromArrays(pixels, 2, 1, 2, 3, [0, 1]);
        using var gray = ds.Load(0, new ImageDecodeOptions(Channels: 1));
        Assert.That(gray.Pixels.ToArray(), Is.EqualTo(new byte[] { 76, 150 }));
        using var second = ds.Load(1, ImageDecodeOptions.Default);
        Assert.That(second.Pixels.ToArray(), Is.EqualTo(new byte[] { 0, 0, 255, 10, 20, 30 }));
        Assert.That(() => ImageDatasets.FromArrays(pixels, 3, 1, 2, 3), Throws.ArgumentException);
    }

    [Test]
    public void Fashion_mnist_from_debian_package()
    {
        var ds = ImageDatasets.FashionMnist(train: false);
        Assert.That(ds.Count, Is.EqualTo(10000));
        Assert.That(ds.Classes[9], Is.EqualTo("Ankle boot"));
        using var image = ds.Load(0, new ImageDecodeOptions(Channels: 3));
        Assert.That((image.Width, image.Height, image.Channels), Is.EqualTo((28, 28, 3)));
        Assert.That(ds.GetLabel(0), Is.EqualTo(9)); // the first t10k sample is an ankle boot (the dataset's README figure)
    }
}
