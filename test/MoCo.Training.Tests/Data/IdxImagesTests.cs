using System.Buffers.Binary;
using System.IO.Compression;
using MoCo.Training.Data;

namespace MoCo.Training.Tests.Data;

public class IdxImagesTests
{
    private string dir = "";

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("moco-idx-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private static byte[] ImageFile(int n, int h, int w, int extra = 0, int magic = 0x803)
    {
        var bytes = new byte[16 + n * h * w + extra];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), h);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), w);
        for (int i = 16; i < 16 + n * h * w; i++) bytes[i] = (byte)(i * 7);
        return bytes;
    }

    private static byte[] LabelFile(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    private string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(dir, name + (gzip ? ".gz" : ""));
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(bytes);
        return path;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Reads_pixels_and_labels_plain_or_gzipped(bool gzip)
    {
        byte[] raw = ImageFile(3, 2, 4);
        using var set = IdxImages.Load(Write("img", raw, gzip), Write("lbl", LabelFile(5, 0, 9), gzip));
        Assert.That((set.Count, set.Channels, set.Height, set.Width), Is.EqualTo((3, 1, 2, 4)));
        Assert.That(set.Images.ToArray<byte>(), Is.EqualTo(raw[16..]));
        // gzip is recognised by its magic bytes, not by the name.
        Assert.That(set.Labels, Is.EqualTo(new long[] { 5, 0, 9 }));
        using var two = IdxImages.Load(Write("img2", raw), null, limit: 2);
        Assert.That(two.Count, Is.EqualTo(2));
        Assert.That(two.Labels, Is.Null);
    }

    [Test]
    public void Bad_files_raise_errors_naming_the_file()
    {
        string good = Write("good", ImageFile(2, 2, 2));
        var cases = new Dictionary<string, (string images, string? labels)>
        {
            ["magic"] = (Write("magic", ImageFile(2, 2, 2, magic: 0x801)), null),
            ["truncated"] = (Write("trunc", ImageFile(2, 2, 2)[..18]), null),
            ["extra"] = (Write("extra", ImageFile(2, 2, 2, extra: 3)), null),
            ["empty"] = (Write("empty", []), null),
            ["label count"] = (good, Write("lbl3", LabelFile(1, 2, 3))),
            ["label magic"] = (good, Write("lblmagic", ImageFile(1, 1, 1))),
            ["corrupt gzip"] = (Write("corrupt.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3]), null),
        };
        foreach (var (name, (images, labels)) in cases)
        {
            var e = Assert.Throws<InvalidDataException>(() => IdxImages.Load(images, labels).Dispose(), name);
            Assert.That(e!.Message, Does.Contain(labels is not null && name.StartsWith("label", StringComparison.Ordinal) ? labels : images), name);
        }
        Assert.Throws<FileNotFoundException>(() => IdxImages.Load(Path.Combine(dir, "missing"), null));
        Assert.Throws<FileNotFoundException>(() => IdxImages.LoadSplit(dir, train: true));
    }

    [Test]
    public void Reads_debians_fashion_mnist()
    {
        using var test = IdxImages.LoadSplit(IdxImages.FashionMnistDirectory, train: false);
        Assert.That((test.Count, test.Height, test.Width), Is.EqualTo((10000, 28, 28)));
        Assert.That(test.Labels!.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
        // The published first test label of Fashion-MNIST is 9 (ankle boot), the second 2 (pullover).
        Assert.That(test.Labels![..2], Is.EqualTo(new long[] { 9, 2 }));
    }

    [Test]
    public void A_data_source_spec_reads_its_split_first_n_and_refuses_image_files()
    {
        byte[] train = ImageFile(4, 2, 2), test = ImageFile(2, 2, 2);
        Write("train-images-idx3-ubyte", train);
        Write("train-labels-idx1-ubyte", LabelFile(0, 1, 2, 3));
        Write("t10k-images-idx3-ubyte", test, gzip: true);
        Write("t10k-labels-idx1-ubyte", LabelFile(7, 8), gzip: true);
        var spec = MoCo.Imaging.Datasets.DataSourceSpec.Parse($"idx:{dir}");
        using (var first = IdxImages.Load(spec, defaultTrain: true, limit: 3))
        {
            Assert.That(first.Labels, Is.EqualTo(new long[] { 0, 1, 2 }));
            Assert.That(first.Images.ToArray<byte>(), Is.EqualTo(train[16..(16 + 12)]));
        }

        using (var held = IdxImages.Load(spec, defaultTrain: false))
        {
            Assert.That(held.Labels, Is.EqualTo(new long[] { 7, 8 }));
        }

        using (var explicitTest = IdxImages.Load(MoCo.Imaging.Datasets.DataSourceSpec.Parse($"idx:{dir}:test"), defaultTrain: true))
        {
            Assert.That(explicitTest.Count, Is.EqualTo(2));
        }

        Assert.That(() => IdxImages.Load(MoCo.Imaging.Datasets.DataSourceSpec.Parse(dir)), Throws.ArgumentException.With.Message.Contains("not IDX data"));
    }
}
