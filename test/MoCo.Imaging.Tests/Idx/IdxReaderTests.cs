using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using MoCo.Imaging.Idx;
using MoCo.Imaging.Tests.Fixtures;

namespace MoCo.Imaging.Tests.Idx;

public class IdxReaderTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("moco-idx-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>An IDX file written from the format's definition (big-endian magic and dimensions).</summary>
    private static byte[] Idx(uint magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + (4 * dims.Length) + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dims[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dims.Length));
        return bytes;
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        if (gzip)
        {
            using var f = File.Create(path);
            using var z = new GZipStream(f, CompressionLevel.Fastest);
            z.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Reads_images_and_labels_plain_or_gzipped(bool gzip)
    {
        byte[] pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 7)).ToArray();
        string images = Write("img", Idx(0x803, [2, 3, 4], pixels), gzip);
        string labels = Write("lbl", Idx(0x801, [2], [9, 4]), gzip);

        var (count, rows, cols, read) = IdxReader.ReadImages(images);
        Assert.That((count, rows, cols), Is.EqualTo((2, 3, 4)));
        Assert.That(read, Is.EqualTo(pixels));
        Assert.That(IdxReader.ReadLabels(labels), Is.EqualTo(new byte[] { 9, 4 }));
    }

    [TestCase(0x801u, "magic number 0x00000801")]
    [TestCase(0x0D03u, "magic number 0x00000D03")]
    public void Wrong_magic_is_rejected(uint magic, string message)
    {
        string path = Write("img", Idx(magic, [1, 1, 1], [0]), gzip: false);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.Contain(message).And.Contain(path));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Truncated_data_is_rejected(bool gzip)
    {
        string path = Write("img", Idx(0x803, [2, 2, 2], [1, 2, 3]), gzip);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.That(ex!.Message, Does.Contain("truncated").And.Contain("found 3"));
    }

    [Test]
    public void Data_past_the_header_size_is_rejected()
    {
        string path = Write("lbl", Idx(0x801, [2], [1, 2, 3]), gzip: false);
        Assert.That(() => IdxReader.ReadLabels(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("past"));
    }

    [Test]
    public void Empty_file_is_rejected() =>
        Assert.That(() => IdxReader.ReadLabels(Write("e", [], gzip: false)), Throws.InstanceOf<InvalidDataException>());

    [Test]
    public void Debian_fashion_mnist_matches_numpy()
    {
        const string dir = "/usr/share/datasets/fashion-mnist";
        string images = Path.Combine(dir, "t10k-images-idx3-ubyte.gz");
        string labels = Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
        var (count, rows, cols, pixels) = IdxReader.ReadImages(images);
        byte[] l = IdxReader.ReadLabels(labels);

        // Reference: numpy over gzip, skipping the 16- and 8-byte headers as the format defines them.
        string script = Path.Combine(_dir, "ref.py");
        File.WriteAllText(script, $$"""
            import gzip, numpy as np, sys
            x = np.frombuffer(gzip.open("{{images}}").read()[16:], np.uint8)
            y = np.frombuffer(gzip.open("{{labels}}").read()[8:], np.uint8)
            open(sys.argv[1], "w").write(f"{x.size} {int(x.astype(np.int64).sum())} {int((x[:784].astype(np.int64) * np.arange(784)).sum())} {' '.join(str(int(c)) for c in np.bincount(y))}")
            """);
        string outFile = Path.Combine(_dir, "ref.txt");
        PythonFixtures.Run(script, outFile);
        var expected = File.ReadAllText(outFile).Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        long weighted = 0;
        for (int i = 0; i < 784; i++)
        {
            weighted += pixels[i] * (long)i;
        }

        Assert.Multiple(() =>
        {
            Assert.That((count, rows, cols), Is.EqualTo((10000, 28, 28)));
            Assert.That((long)pixels.Length, Is.EqualTo(expected[0]));
            Assert.That(pixels.Sum(b => (long)b), Is.EqualTo(expected[1]));
            Assert.That(weighted, Is.EqualTo(expected[2]));
            Assert.That(Enumerable.Range(0, 10).Select(c => (long)l.Count(v => v == c)), Is.EqualTo(expected[3..]));
        });
    }
}
