using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Transforms;
using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Data;

// Pretraining from image files: MoCo.Imaging's loader feeds the trainer; a corrupt file is skipped and listed.
public class LoaderViewPairSourceTests
{
    private string dir = "";

    [SetUp]
    public void MakeFolder()
    {
        dir = Directory.CreateTempSubdirectory("moco-folder-").FullName;
        PyTorch.RunScript($$"""
            import os, random
            from PIL import Image
            random.seed(0)
            root = {{"'" + dir + "/images'"}}
            for cls, colour in (("circles", (220, 40, 40)), ("squares", (40, 40, 220))):
                os.makedirs(os.path.join(root, cls))
                for i in range(12):
                    img = Image.new("RGB", (40 + i, 36), (random.randint(0, 60),) * 3)
                    x, y = random.randint(0, 20), random.randint(0, 16)
                    for dx in range(12):
                        for dy in range(12):
                            img.putpixel((x + dx, y + dy), colour)
                    img.save(os.path.join(root, cls, f"{i}.png" if i % 2 else f"{i}.jpg"))
            open(os.path.join(root, "squares", "broken.png"), "wb").write(b"\x89PNG\r\n\x1a\n" + bytes(40))
            print("ok")
            """);
    }

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    [Test]
    public void A_folder_pretrains_through_the_loader_and_the_broken_file_is_listed()
    {
        var dataset = ImageDatasets.FromFolder(Path.Combine(dir, "images"));
        Assert.That(dataset.Count, Is.EqualTo(25));
        var augmentation = MoCoAugmentation.V2(24);
        const int Batch = 8;
        var loader = ImageLoader.ForPretraining(dataset, augmentation, 3, new LoaderOptions(BatchSize: Batch, Workers: 2, Seed: 1));
        var source = new LoaderViewPairSource(loader, dataset.Count, 3, 24, Batch);
        var eval = ImageLoader.ForExtraction(dataset, new EvalTransform(28, 24), 3, new LoaderOptions(BatchSize: 16, DropLast: false, Shuffle: false, Workers: 2));
        var knnSet = new LoaderLabelledImages(eval, dataset.Count, dataset.Classes.Count);
        var knn = new KnnMonitor(knnSet, knnSet, k: 5);
        var config = PretrainConfig.V2 with
        {
            Arch = "resnet18", Width = 4, SmallImages = true, InChannels = 3, Dim = 16, QueueSize = 32, BatchSize = Batch,
            Epochs = 2, LogEvery = 1, Threads = 1, BnSplits = 2, InputSize = 24,
        };
        string run = Path.Combine(dir, "run");
        using (var pretrain = PretrainRun.Start(config, source, knn, run))
        {
            double before = pretrain.EvaluateKnn()!.Value;
            Assert.That(before, Is.InRange(0.0, 1.0));
            pretrain.Run();
        }
        string[] skipped = File.ReadAllLines(Path.Combine(run, PretrainRun.SkippedFile));
        // The broken file, and in each epoch the one batch it left short (skipped whole: the queue needs equal batches).
        Assert.That(skipped[0], Is.EqualTo("3 sample(s) skipped"));
        Assert.That(skipped.Count(l => l.Contains("broken.png", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(skipped.Count(l => l.Contains("only 7 of 8 images readable", StringComparison.Ordinal)), Is.EqualTo(2));
        var log = File.ReadAllLines(Path.Combine(run, PretrainRun.LogFile));
        Assert.That(log.Count(l => l.Contains("\"loss\"", StringComparison.Ordinal)), Is.EqualTo(2 * (25 / Batch - 1)));
        Assert.That(log.Count(l => l.Contains("knn_top1", StringComparison.Ordinal)), Is.EqualTo(2));
    }

    [Test]
    public void With_replacement_every_batch_is_trained_on_and_the_broken_file_is_listed_once()
    {
        var dataset = ImageDatasets.FromFolder(Path.Combine(dir, "images"));
        const int Batch = 8;
        var loader = ImageLoader.ForPretraining(dataset, MoCoAugmentation.V2(24), 3, new LoaderOptions(BatchSize: Batch, Workers: 2, Seed: 1, ReplaceBadFiles: true));
        var source = new LoaderViewPairSource(loader, dataset.Count, 3, 24, Batch);
        // A memory-bank run: the bank's rows are the loader's sample indices, the substitutes' where a file was replaced.
        var config = PretrainConfig.V2 with
        {
            Method = MoCo.Training.Method.ContrastiveMethod.MemoryBank,
            Arch = "resnet18", Width = 8, SmallImages = true, InChannels = 3, Dim = 16, QueueSize = 32, BatchSize = Batch,
            Epochs = 2, LogEvery = 1, Threads = 1, BnSplits = 2, InputSize = 24,
        };
        string run = Path.Combine(dir, "run");
        int brokenIndex = Enumerable.Range(0, dataset.Count).Single(i => dataset.Describe(i).Contains("broken.png", StringComparison.Ordinal));
        using (var pretrain = PretrainRun.Start(config, source, null, run))
        {
            var bank = ((MoCo.Training.Method.MemoryBankContrast)pretrain.Model).memory_bank;
            using var initial = bank.clone();
            pretrain.Run();
            using var moved = (bank - initial).abs().sum(1).gt(0);
            Assert.That(moved[brokenIndex].item<bool>(), Is.False, "the broken file was never trained on: its row keeps its start");
            Assert.That(moved.sum().item<long>(), Is.GreaterThan(20), "the rows of the images trained on moved");
        }

        string[] skipped = File.ReadAllLines(Path.Combine(run, PretrainRun.SkippedFile));
        Assert.That(skipped[0], Is.EqualTo("1 sample(s) skipped"));
        Assert.That(skipped[1], Does.Contain("broken.png"));
        var log = File.ReadAllLines(Path.Combine(run, PretrainRun.LogFile));
        Assert.That(log.Count(l => l.Contains("\"loss\"", StringComparison.Ordinal)), Is.EqualTo(2 * (25 / Batch)), "no batch lost");
    }

    [Test]
    public void A_folder_of_only_unreadable_files_stops_with_a_message_naming_the_skipped_list()
    {
        string broken = Path.Combine(dir, "broken");
        Directory.CreateDirectory(Path.Combine(broken, "a"));
        for (int i = 0; i < 6; i++)
        {
            File.WriteAllBytes(Path.Combine(broken, "a", $"{i}.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0]);
        }

        var dataset = ImageDatasets.FromFolder(broken);
        var loader = ImageLoader.ForPretraining(dataset, MoCoAugmentation.V2(24), 3, new LoaderOptions(BatchSize: 2, Workers: 1, ReplaceBadFiles: true));
        var source = new LoaderViewPairSource(loader, dataset.Count, 3, 24, 2);
        var config = PretrainConfig.V2 with
        {
            Arch = "resnet18", Width = 8, SmallImages = true, InChannels = 3, Dim = 16, QueueSize = 8, BatchSize = 2,
            Epochs = 1, Threads = 1, BnSplits = 1, InputSize = 24,
        };
        string run = Path.Combine(dir, "run-broken");
        using var pretrain = PretrainRun.Start(config, source, null, run);
        Assert.That(() => pretrain.Run(), Throws.InvalidOperationException.With.Message.Contains("no batch of 2 readable images").And.Message.Contains(PretrainRun.SkippedFile));
        string[] skipped = File.ReadAllLines(Path.Combine(run, PretrainRun.SkippedFile));
        Assert.That(skipped.Count(l => l.Contains(".png", StringComparison.Ordinal)), Is.EqualTo(6), "every file listed once");
        Assert.That(skipped.Count(l => l.Contains("only 0 of 2 images readable", StringComparison.Ordinal)), Is.EqualTo(3), "and every empty batch");
    }

    [Test]
    public void The_trainers_batch_size_must_be_the_loaders()
    {
        var dataset = ImageDatasets.FromFolder(Path.Combine(dir, "images"));
        var loader = ImageLoader.ForPretraining(dataset, MoCoAugmentation.V2(24), 3, new LoaderOptions(BatchSize: 8));
        var source = new LoaderViewPairSource(loader, dataset.Count, 3, 24, 8);
        Assert.Throws<ArgumentException>(() => source.BatchesPerEpoch(16));
        Assert.That(source.BatchesPerEpoch(8), Is.EqualTo(3));
    }
}
