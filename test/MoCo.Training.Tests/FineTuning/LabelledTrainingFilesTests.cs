using MoCo.Imaging.Datasets;
using MoCo.Imaging.Encoders;
using MoCo.Training.FineTuning;

namespace MoCo.Training.Tests.FineTuning;

// Fine-tuning on image files through MoCo.Imaging's loader: a folder of 3 class subfolders (6, 7 and 6 PNGs of 18–27 px,
// RGB; class "b" holds one unreadable file), written here.
public class LabelledTrainingFilesTests
{
    private string dir = "";

    private static readonly FineTuneConfig Config = FineTuneStepTests.Small with
    {
        InChannels = 3, Classes = 3, ClassNames = ["a", "b", "c"], InputSize = 16, Mean = [0.5, 0.5, 0.5], Std = [0.25, 0.25, 0.25],
        LabelsPerClass = null, Epochs = 2, BatchSize = 4, LearningRate = 0.02, Seed = 3,
    };

    [SetUp]
    public void MakeFolder()
    {
        dir = Directory.CreateTempSubdirectory("moco-ft-files-").FullName;
        var rng = new Random(1);
        foreach (var (cls, count, colour) in new[] { ("a", 6, 0), ("b", 6, 1), ("c", 6, 2) })
        {
            string folder = Path.Combine(dir, "images", cls);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < count; i++)
            {
                int w = 18 + rng.Next(10), h = 18 + rng.Next(10);
                var pixels = new byte[w * h * 3];
                for (int p = 0; p < w * h; p++)
                {
                    for (int c = 0; c < 3; c++) pixels[p * 3 + c] = (byte)(c == colour ? 150 + rng.Next(100) : rng.Next(80));
                }
                File.WriteAllBytes(Path.Combine(folder, $"{i}.png"), PngEncoder.Encode(pixels, w, h, 3));
            }
        }
        File.WriteAllBytes(Path.Combine(dir, "images", "b", "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0]);
    }

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    private IImageDataset Images() => ImageDatasets.FromFolder(Path.Combine(dir, "images"));

    private static List<(float[] x, long[] y)> Epoch(ILabelledTrainingSet set, int epoch) =>
        [.. set.Epoch(epoch, 4, CPU).Select(b =>
        {
            using (b.images)
            using (b.labels) return (b.images.data<float>().ToArray(), b.labels.data<long>().ToArray());
        })];

    [Test]
    public void Views_are_a_pure_function_of_the_epoch_and_the_unreadable_file_is_skipped_and_recorded()
    {
        using var set = new LabelledTrainingFiles(Images(), Config, workers: 2);
        Assert.That(set.Count, Is.EqualTo(19));
        Assert.That(set.PerClass, Is.EqualTo(new Dictionary<long, int> { [0] = 6, [1] = 7, [2] = 6 }));
        var first = Epoch(set, 0);
        var again = Epoch(set, 0);
        var next = Epoch(set, 1);
        Assert.That(first.Select(b => b.x.Length), Is.All.GreaterThan(0));
        Assert.That(first.Sum(b => b.y.Length), Is.EqualTo(18), "19 drawn, one unreadable");
        Assert.That(first.SelectMany(b => b.y).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count()), Is.EqualTo(new Dictionary<long, int> { [0] = 6, [1] = 6, [2] = 6 }));
        for (int b = 0; b < first.Count; b++)
        {
            Assert.That(again[b].x, Is.EqualTo(first[b].x), $"batch {b}: the same epoch gives the same views");
            Assert.That(again[b].y, Is.EqualTo(first[b].y));
        }
        Assert.That(next.SelectMany(b => b.x), Is.Not.EqualTo(first.SelectMany(b => b.x)), "another epoch, other views");
        Assert.That(first[0].x.Length, Is.EqualTo(first[0].y.Length * 3 * 16 * 16));
        Assert.That(set.Skipped, Has.Count.EqualTo(1));
        Assert.That(set.Skipped.Single(), Does.Contain("broken.png"));
    }

    [Test]
    public void A_killed_and_resumed_run_on_files_gives_the_losses_of_an_uninterrupted_one()
    {
        string straight = Path.Combine(dir, "straight"), interrupted = Path.Combine(dir, "interrupted");
        var config = Config with { LabelsPerClass = 4, Epochs = 3 };   // 12 images: 3 batches of 4
        using (var set = new LabelledTrainingFiles(Images(), config, workers: 2))
        {
            using (var run = FineTuneRun.Start(config, set, set.Unaugmented, straight)) run.Run();
            using (var run = FineTuneRun.Start(config, set, set.Unaugmented, interrupted)) run.Run(stopAfterSteps: 4);
        }
        using (var set = new LabelledTrainingFiles(Images(), config, workers: 1))
        using (var run = FineTuneRun.Resume(interrupted, set, set.Unaugmented)) run.Run();
        Assert.That(File.ReadAllLines(Path.Combine(interrupted, FineTuneRun.LogFile)), Is.EqualTo(File.ReadAllLines(Path.Combine(straight, FineTuneRun.LogFile))));
    }

    [Test]
    public void Too_few_images_in_a_class_and_unlabelled_files_give_one_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => new LabelledTrainingFiles(Images(), Config with { LabelsPerClass = 7 }));
        Assert.That(e!.Message, Does.Contain("--labels-per-class 7").And.Contain("'a' has 6").And.Contain("'c' has 6").And.Not.Contain("'b'"));
        var unlabelled = ImageDatasets.FromFolder(Path.Combine(dir, "images", "a"), classSubfolders: false);
        e = Assert.Throws<ArgumentException>(() => new LabelledTrainingFiles(unlabelled, Config));
        Assert.That(e!.Message, Does.Contain("has no label"));
    }
}
