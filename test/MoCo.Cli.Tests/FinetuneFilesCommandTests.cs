using System.Text.Json;
using MoCo.Cli.Tests.Support;
using MoCo.Imaging.Encoders;

namespace MoCo.Cli.Tests;

// `moco finetune` on image files: train/<class>/*.png (a, b, c: 6 each, plus an unreadable file in b) and
// test/<class>/*.png (3 each, plus an unreadable file in c), RGB, 18–27 px, written here.
[NonParallelizable]
public class FinetuneFilesCommandTests
{
    private string dir = "";

    [SetUp]
    public void MakeFolders()
    {
        dir = Directory.CreateTempSubdirectory("moco-finetune-files-").FullName;
        var rng = new Random(4);
        foreach (var (split, count) in new[] { ("train", 6), ("test", 3) })
        {
            for (int cls = 0; cls < 3; cls++)
            {
                string folder = Path.Combine(dir, split, "abc"[cls].ToString());
                Directory.CreateDirectory(folder);
                for (int i = 0; i < count; i++) File.WriteAllBytes(Path.Combine(folder, $"{i}.png"), Png(rng, cls));
            }
        }
        File.WriteAllBytes(Path.Combine(dir, "train", "b", "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0]);
        File.WriteAllBytes(Path.Combine(dir, "test", "c", "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0]);
    }

    private static byte[] Png(Random rng, int colour)
    {
        int w = 18 + rng.Next(10), h = 18 + rng.Next(10);
        var pixels = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++)
        {
            for (int c = 0; c < 3; c++) pixels[p * 3 + c] = (byte)(c == colour ? 150 + rng.Next(100) : rng.Next(80));
        }
        return PngEncoder.Encode(pixels, w, h, 3);
    }

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    private string[] Args(string train, string test, string run, params string[] extra) =>
        ["finetune", "--init", "random", "--width", "4", "--train", train, "--test", test, "--input-size", "16", "--epochs", "2", "--batch", "4",
         "--threads", "1", "--workers", "1", "--out", run, .. extra];

    [Test]
    public void A_folder_fine_tunes_through_the_loader_and_unreadable_images_are_skipped_and_listed()
    {
        string run = Path.Combine(dir, "ft");
        var result = MocoRun.Captured(Args(Path.Combine(dir, "train"), Path.Combine(dir, "test"), run, "--json"));
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        var json = JsonDocument.Parse(result.Out.Trim()).RootElement;
        Assert.That(json.GetProperty("train_images").GetInt32(), Is.EqualTo(19), "every file drawn, the unreadable one included");
        Assert.That(json.GetProperty("test_images").GetInt32(), Is.EqualTo(9), "scored test images: the unreadable one left out");
        Assert.That(json.GetProperty("labels_per_class").GetString(), Is.EqualTo("all"));
        Assert.That(result.Error, Does.Contain("16×16 views").And.Contain("2 unreadable image(s) skipped"));
        var skipped = File.ReadAllLines(Path.Combine(run, "skipped.txt"));
        Assert.That(skipped, Has.Length.EqualTo(2));
        Assert.That(skipped.Any(l => l.Contains(Path.Combine("train", "b", "broken.png"))) && skipped.Any(l => l.Contains(Path.Combine("test", "c", "broken.png"))), string.Join("\n", skipped));
        var predictions = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        Assert.That(predictions, Has.Length.EqualTo(10));
        Assert.That(predictions.Skip(1).Select(l => l.Split(',')[1]), Is.EqualTo(new[] { "a", "a", "a", "b", "b", "b", "c", "c", "c" }), "labels are class names, in folder order");
        Assert.That(predictions.Skip(1).All(l => l.Split(',')[0].EndsWith(".png", StringComparison.Ordinal) && !l.Contains("broken")));
        using var session = MoCo.Onnx.OnnxSession.Open(Path.Combine(run, "classifier.onnx"));
        Assert.That(session.Metadata.Custom["moco.class_names"], Is.EqualTo("[\"a\",\"b\",\"c\"]"));
        Assert.That((session.Metadata.Custom["moco.resize"], session.Metadata.Custom["moco.input_size"]), Is.EqualTo(("16", "16")), "small images: no 256/224 resize");
    }

    [Test]
    public void Bad_file_input_gives_one_clear_error()
    {
        string train = Path.Combine(dir, "train"), test = Path.Combine(dir, "test");
        MocoRun.AssertOneErrorLine(MocoRun.Captured(Args(train, test, Path.Combine(dir, "a"), "--labels-per-class", "7")), "'a' has 6, 'c' has 6", code: 1);
        Directory.CreateDirectory(Path.Combine(dir, "test", "d"));
        File.Copy(Path.Combine(test, "a", "0.png"), Path.Combine(dir, "test", "d", "0.png"));
        MocoRun.AssertOneErrorLine(MocoRun.Captured(Args(train, test, Path.Combine(dir, "b"))), "classes the training data lacks: 'd'", code: 1);
        string list = Path.Combine(dir, "unlabelled.txt");
        File.WriteAllLines(list, [Path.Combine(train, "a", "0.png"), Path.Combine(train, "a", "1.png")]);
        MocoRun.AssertOneErrorLine(MocoRun.Captured(Args(list, Path.Combine(test, "a"), Path.Combine(dir, "c"))), "has no labels", code: 1);
        MocoRun.AssertOneErrorLine(MocoRun.Captured(Args("fashion-mnist:train", test, Path.Combine(dir, "d"))), "both as IDX data or both as image files", code: 1);
        MocoRun.AssertOneErrorLine(MocoRun.Captured(["finetune", "--init", "random", "--train", train, "--out", Path.Combine(dir, "e")]), "no test split: give the test images", code: 1);
    }
}
