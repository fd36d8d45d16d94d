using MoCo.Extraction.Sources;
using MoCo.Extraction.Tests.Support;
using MoCo.MLNet.Tests.Support;

namespace MoCo.Extraction.Tests.Sources;

// The name a store keeps for its source: full paths and an explicit split, so resuming from another folder finds the same source.
public class ExtractionSourceTests
{
    [Test]
    public void Idx_source_is_named_by_its_full_folder_and_split_and_reads_the_train_split_by_default()
    {
        using var temp = new TempDir();
        string idx = Directory.CreateDirectory(Path.Combine(temp.Path, "idx")).FullName;
        Idx.Write(idx, "train", new byte[3 * 4], 3, 2, 2, [0, 1, 1]);
        Idx.Write(idx, "t10k", new byte[2 * 4], 2, 2, 2, [1, 0]);
        string saved = Environment.CurrentDirectory;
        Environment.CurrentDirectory = temp.Path;
        try
        {
            var train = ExtractionSource.Open("idx:idx");
            Assert.That((train.Spec, train.Count, train.InMemory, train.Labelled), Is.EqualTo(($"idx:{idx}:train", 3, true, true)));
            Assert.That(train.Name(2), Is.EqualTo("train-images-idx3-ubyte.gz[2]"));
            var test = ExtractionSource.Open("idx:idx:test");
            Assert.That((test.Spec, test.Count, test.Label(0)), Is.EqualTo(($"idx:{idx}:test", 2, 1)));
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }
    }

    [Test]
    public void Fashion_mnist_and_folders_keep_their_names()
    {
        using var temp = new TempDir();
        Assert.That(ExtractionSource.Open("fashion-mnist:test").Spec, Is.EqualTo("fashion-mnist:test"));
        Assert.That(ExtractionSource.Open("fashion-mnist").Spec, Is.EqualTo("fashion-mnist:train"));
        string folder = Directory.CreateDirectory(Path.Combine(temp.Path, "pngs")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "a.png"), MoCo.Imaging.Encoders.PngEncoder.Encode(new byte[4], 2, 2, 1));
        var files = ExtractionSource.Open(folder + "/");
        Assert.That((files.Spec, files.InMemory, files.Labelled, files.Name(0)), Is.EqualTo((folder + "/", false, false, Path.Combine(folder, "a.png"))));
    }

    [Test]
    public void An_unknown_source_lists_the_forms() =>
        Assert.That(() => ExtractionSource.Open(Path.Combine(Path.GetTempPath(), "moco-absent-" + Guid.NewGuid().ToString("N"))),
            Throws.ArgumentException.With.Message.Contains("is not a data source").And.Message.Contains("idx:DIR[:train|test]"));
}
