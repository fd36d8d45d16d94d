using System.Buffers.Binary;
using MoCo.Imaging.Datasets;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Imaging.Tests.Datasets;

public class DataSourceSpecTests
{
    /// <summary>An MNIST-layout folder: 3 images of 2×2 (train: pixels 0..11, labels 0,1,2; t10k: 2 images, labels 5,4).</summary>
    internal static string WriteIdx(string dir)
    {
        Directory.CreateDirectory(dir);
        void Images(string name, int count, byte first)
        {
            var bytes = new byte[16 + count * 4];
            BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 2);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 2);
            for (int i = 0; i < count * 4; i++) bytes[16 + i] = (byte)(first + i);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }

        void Labels(string name, params byte[] labels)
        {
            var bytes = new byte[8 + labels.Length];
            BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
            labels.CopyTo(bytes, 8);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }

        Images("train-images-idx3-ubyte", 3, 0);
        Labels("train-labels-idx1-ubyte", 0, 1, 2);
        Images("t10k-images-idx3-ubyte", 2, 100);
        Labels("t10k-labels-idx1-ubyte", 5, 4);
        return dir;
    }

    private static string Png(TempDir temp, string relative)
    {
        string path = temp.File(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, MoCo.Imaging.Encoders.PngEncoder.Encode(new byte[4], 2, 2, 1));
        return path;
    }

    [Test]
    public void Fashion_mnist_forms_name_debians_folder_and_their_split()
    {
        var plain = DataSourceSpec.Parse("fashion-mnist");
        Assert.That((plain.Kind, plain.Path, plain.Train, plain.IsFiles), Is.EqualTo((DataSourceKind.FashionMnist, FashionMnist.Directory, (bool?)null, false)));
        Assert.That(plain.Canonical(defaultTrain: true), Is.EqualTo("fashion-mnist:train"));
        Assert.That(plain.Canonical(defaultTrain: false), Is.EqualTo("fashion-mnist:test"));
        Assert.That(DataSourceSpec.Parse("fashion-mnist:test").Train, Is.False);
        Assert.That(DataSourceSpec.Parse("fashion-mnist:train").Canonical(defaultTrain: false), Is.EqualTo("fashion-mnist:train"), "a split given wins over the default");
        Assert.That(DataSourceSpec.Parse("fashion-mnist:train").TestSplit().Text, Is.EqualTo("fashion-mnist:test"));
    }

    [Test]
    public void Fashion_mnist_opens_debians_copy_with_its_class_names()
    {
        var test = DataSourceSpec.Parse("fashion-mnist").Open(defaultTrain: false);
        Assert.That((test.Count, test.GetLabel(0), test.Classes[test.GetLabel(0)]), Is.EqualTo((10000, 9, "Ankle boot")));
        Assert.That(test.Describe(0), Is.EqualTo("t10k-images-idx3-ubyte.gz[0]"));
        Assert.That(FashionMnist.Classes, Has.Count.EqualTo(10));
    }

    [Test]
    public void Idx_forms_read_the_split_asked_for_or_the_default()
    {
        using var temp = new TempDir();
        string dir = WriteIdx(Path.Combine(temp.Path, "mnist"));
        var spec = DataSourceSpec.Parse($"idx:{dir}");
        Assert.That((spec.Kind, spec.Path, spec.Train), Is.EqualTo((DataSourceKind.Idx, dir, (bool?)null)));
        var train = spec.Open(defaultTrain: true);
        var test = spec.Open(defaultTrain: false);
        Assert.That((train.Count, test.Count), Is.EqualTo((3, 2)));
        Assert.That((train.GetLabel(2), test.GetLabel(0)), Is.EqualTo((2, 5)));
        Assert.That(train.Classes, Is.EqualTo(new[] { "0", "1", "2" }));
        using var image = test.Load(1, ImageDecodeOptions.Default);
        Assert.That(image.Pixels.ToArray(), Is.EqualTo(new byte[] { 104, 105, 106, 107 }));
        Assert.That(DataSourceSpec.Parse($"idx:{dir}:test").Open(defaultTrain: true).Count, Is.EqualTo(2));
        Assert.That(spec.TestSplit().Text, Is.EqualTo($"idx:{dir}:test"));
        Assert.That(spec.IdxFiles(defaultTrain: false), Is.EqualTo((Path.Combine(dir, "t10k-images-idx3-ubyte"), Path.Combine(dir, "t10k-labels-idx1-ubyte"))));
    }

    [Test]
    public void Idx_canonical_name_makes_the_folder_full_and_the_split_explicit()
    {
        using var temp = new TempDir();
        string dir = WriteIdx(Path.Combine(temp.Path, "rel"));
        string saved = Environment.CurrentDirectory;
        Environment.CurrentDirectory = temp.Path;
        try
        {
            var spec = DataSourceSpec.Parse("idx:rel");
            Assert.That(spec.Canonical(), Is.EqualTo("idx:rel:train"));
            Assert.That(spec.WithFullPath().Canonical(), Is.EqualTo($"idx:{dir}:train"));
            Assert.That(spec.WithFullPath().Text, Is.EqualTo("idx:rel"), "the text stays as given");
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }
    }

    [Test]
    public void A_folder_is_labelled_when_it_has_subfolders_and_flat_otherwise()
    {
        using var temp = new TempDir();
        Png(temp, "tree/b/1.png");
        Png(temp, "tree/a/2.png");
        Png(temp, "flat/x.png");
        var tree = DataSourceSpec.Parse(Path.Combine(temp.Path, "tree"));
        Assert.That((tree.Kind, tree.IsFiles, tree.Train), Is.EqualTo((DataSourceKind.Folder, true, (bool?)null)));
        var labelled = tree.Open();
        Assert.That(labelled.Classes, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(labelled.Describe(0), Is.EqualTo(Path.Combine(temp.Path, "tree", "a", "2.png")));
        var flat = DataSourceSpec.Parse(Path.Combine(temp.Path, "flat")).Open();
        Assert.That((flat.Count, flat.Classes.Count, flat.GetLabel(0)), Is.EqualTo((1, 0, -1)));
        Assert.That(tree.Canonical(), Is.EqualTo(Path.Combine(temp.Path, "tree")));
        Assert.That(() => tree.TestSplit(), Throws.ArgumentException.With.Message.Contains("no test split"));
        Assert.That(() => tree.IdxFiles(), Throws.ArgumentException.With.Message.Contains("not IDX data"));
    }

    [Test]
    public void A_txt_or_csv_file_is_a_list_and_other_files_are_not_sources()
    {
        using var temp = new TempDir();
        string png = Png(temp, "l/one.png");
        string txt = Path.Combine(temp.Path, "l", "list.TXT");
        File.WriteAllText(txt, "one.png,3\n");
        File.Copy(txt, Path.Combine(temp.Path, "l", "list.csv"));
        var list = DataSourceSpec.Parse(txt);
        Assert.That(list.Kind, Is.EqualTo(DataSourceKind.List));
        Assert.That(DataSourceSpec.Parse(Path.Combine(temp.Path, "l", "list.csv")).Kind, Is.EqualTo(DataSourceKind.List));
        var dataset = list.Open();
        Assert.That((dataset.Describe(0), dataset.GetLabel(0)), Is.EqualTo((png, 3)));
        Assert.That(() => DataSourceSpec.Parse(png), Throws.ArgumentException.With.Message.Contains("is not a data source"));
    }

    [Test]
    public void An_existing_folder_wins_over_the_prefixes()
    {
        using var temp = new TempDir();
        Png(temp, "fashion-mnist/a/1.png");
        string saved = Environment.CurrentDirectory;
        Environment.CurrentDirectory = temp.Path;
        try
        {
            Assert.That(DataSourceSpec.Parse("fashion-mnist").Kind, Is.EqualTo(DataSourceKind.Folder));
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }
    }

    [TestCase("nowhere:x")]
    [TestCase("fashion-mnist:train:extra")]
    [TestCase("idx:")]
    [TestCase("idx:/a:train:extra")]
    [TestCase("mnist")]
    public void Anything_else_names_every_accepted_form(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DataSourceSpec.Parse(text))!;
        Assert.That(e.Message, Does.StartWith($"'{text}' is not a data source").And.Contain(DataSourceSpec.Forms));
        Assert.That(DataSourceSpec.Forms, Does.Contain("fashion-mnist[:train|test]").And.Contain("idx:DIR[:train|test]").And.Contain("folder").And.Contain(".txt/.csv list"));
    }

    [TestCase("fashion-mnist:validation", "validation")]
    [TestCase("idx:/data:Train", "Train")]
    public void A_split_other_than_train_or_test_is_named(string text, string split) =>
        Assert.That(() => DataSourceSpec.Parse(text), Throws.ArgumentException.With.Message.EqualTo($"'{split}' in '{text}' is not train or test"));

    [Test]
    public void Missing_idx_files_are_named_when_opened_not_when_parsed()
    {
        using var temp = new TempDir();
        var spec = DataSourceSpec.Parse($"idx:{temp.Path}");
        Assert.That(() => spec.Open(), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("train-images-idx3-ubyte").And.Message.Contains(temp.Path));
    }
}
