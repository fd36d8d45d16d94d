using System.IO.Compression;
using MoCo.Training.Import;

namespace MoCo.Training.Tests.Import;

/// <summary>Truncated, corrupt and non-PyTorch files: each gives one InvalidDataException that names the file and says
/// what is wrong, never another kind of exception.</summary>
[NonParallelizable]
public class CorruptFileTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteFiles()
    {
        dir = Directory.CreateTempSubdirectory("moco-corrupt-").FullName;
        TorchFiles.Write(dir, """
            import pickle
            sd = collections.OrderedDict(w=torch.randn(4, 3), b=torch.randn(3), n=torch.tensor(5))
            torch.save({"epoch": 1, "state_dict": sd}, "good.zip.pt")
            torch.save({"epoch": 1, "state_dict": sd}, "good.legacy.pt", _use_new_zipfile_serialization=False)
            with open("plain.pkl", "wb") as f:
                pickle.dump({"w": [1, 2, 3]}, f, protocol=2)
            torch.save({"alpha.weight": torch.randn(2, 2), "beta": torch.randn(3)}, "unknown-layout.pt")
            """);
        using (var zip = ZipFile.Open(Path.Combine(dir, "other.zip"), ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(zip.CreateEntry("hello.txt").Open());
            w.Write("hello");
        }
        File.WriteAllText(Path.Combine(dir, "text.pth"), "this is not a checkpoint\n");
        File.WriteAllBytes(Path.Combine(dir, "empty.pth"), []);
        File.WriteAllBytes(Path.Combine(dir, "image.pth"), [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13]);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    [TestCase("text.pth", "not a PyTorch checkpoint: neither a zip archive")]
    [TestCase("image.pth", "(it starts with 89504E47)")]
    [TestCase("empty.pth", "the file is empty")]
    [TestCase("plain.pkl", "a pickle, but not a torch.save file")]
    [TestCase("other.zip", "a zip archive without a FOLDER/data.pkl entry")]
    public void A_file_that_is_not_a_PyTorch_checkpoint_says_what_it_is_not(string file, string message)
    {
        string path = Path.Combine(dir, file);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(path))!;
        Assert.That(e.Message, Does.StartWith(path + ": "));
        Assert.That(e.Message, Does.Contain(message));
    }

    [TestCase("good.zip.pt")]
    [TestCase("good.legacy.pt")]
    public void Every_truncation_gives_one_clear_error(string file)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, file));
        string cut = Path.Combine(dir, "cut-" + file);
        int step = Math.Max(1, bytes.Length / 97);
        for (int length = 1; length < bytes.Length; length += step)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.Read(cut), $"cut at {length} of {bytes.Length}")!;
            Assert.That(e.Message, Does.StartWith(cut + ": "));
        }
        File.WriteAllBytes(cut, bytes[..(bytes.Length - 1)]);
        Assert.That(() => PyTorchCheckpointReader.Read(cut), Throws.TypeOf<InvalidDataException>().With.Message.Contains("truncated"));
    }

    [TestCase("good.zip.pt")]
    [TestCase("good.legacy.pt")]
    public void Corrupt_bytes_give_a_clear_error_or_a_file_that_still_reads(string file)
    {
        // Each byte in turn set to 0xFF (an opcode no pickle has, a length past the end, a broken zip record): the
        // reader either still reads a well-formed file or says the file is invalid; it never fails another way.
        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, file));
        string bad = Path.Combine(dir, "bad-" + file);
        int step = Math.Max(1, bytes.Length / 211), refused = 0;
        for (int at = 0; at < bytes.Length; at += step)
        {
            byte[] copy = (byte[])bytes.Clone();
            copy[at] ^= 0xFF;
            File.WriteAllBytes(bad, copy);
            try
            {
                PyTorchCheckpointReader.Read(bad);
            }
            catch (InvalidDataException e)
            {
                Assert.That(e.Message, Does.StartWith(bad + ": "));
                refused++;
            }
            catch (UnsafePickleException)
            {
                refused++;   // a flipped byte can turn a global into one that is refused
            }
        }
        Assert.That(refused, Is.GreaterThan(0));
    }

    [Test]
    public void A_corrupt_opcode_is_named()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, "good.legacy.pt"));
        byte[] dictPickle = [0x80, 0x02, (byte)'}'];   // PROTO 2, EMPTY_DICT
        int info = bytes.AsSpan().IndexOf(dictPickle);                            // the system-info dict's pickle
        int main = bytes.AsSpan(info + 1).IndexOf(dictPickle) + info + 1;          // then the object's
        bytes[main + 2] = 0xFF;
        string path = Path.Combine(dir, "opcode.pt");
        File.WriteAllBytes(path, bytes);
        Assert.That(() => PyTorchCheckpointReader.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("unknown pickle opcode 0xff"));
    }

    [Test]
    public void An_unknown_layout_lists_every_key_and_shape()
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Path.Combine(dir, "unknown-layout.pt"));
        var e = Assert.Throws<InvalidDataException>(() => EncoderImporter.Import(read))!;
        Assert.That(e.Message, Does.Contain("unknown checkpoint layout"));
        Assert.That(e.Message, Does.EndWith("the file's tensors: alpha.weight [2, 2], beta [3]"));
    }
}
