using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.FineTuning;
using MoCo.Training.Serialization;
using MoCo.Training.Tests.Trainer;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.FineTuning;

public class FineTuneRunTests
{
    private string dir = "";

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("moco-ft-run-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    // 48 blobs of 3 classes (16 each), 16 px: 6 per class → 18 images, batch 4 → 4 full batches + a remainder of 2.
    private static readonly FineTuneConfig Tiny = FineTuneStepTests.Small with
    {
        Classes = 3, InputSize = 16, Mean = [0.3], Std = [0.3], LabelsPerClass = 6, Epochs = 3, BatchSize = 4, LearningRate = 0.02, HeadLearningRate = null, Seed = 9,
    };

    private static InMemoryLabelledImages Test(InMemoryImages images, FineTuneConfig config) =>
        new(images, LabelledTrainingSet.Evaluation(config), batchSize: 16);

    private static List<string> Lines(string runDir) => [.. File.ReadLines(Path.Combine(runDir, FineTuneRun.LogFile))];

    [TestCase(false)]
    [TestCase(true)]
    public void A_killed_and_resumed_run_gives_the_losses_of_an_uninterrupted_one_bit_for_bit(bool channelsLast)
    {
        using var images = PretrainRunTests.Blobs();
        var config = Tiny with { ChannelsLast = channelsLast };
        string straight = Path.Combine(dir, "straight"), interrupted = Path.Combine(dir, "interrupted");
        using (var train = new LabelledTrainingSet(images, config))
        {
            Assert.That(train.Count, Is.EqualTo(18));
            Assert.That(train.PerClass.Values, Is.All.EqualTo(6));
            Assert.That(train.BatchesPerEpoch(4), Is.EqualTo(5), "4 full batches and the remainder of 2");
            using (var run = FineTuneRun.Start(config, train, Test(images, config), straight)) run.Run();
            // Killed in epoch 1 (after 7 steps); its checkpoint is from the end of epoch 0.
            using (var run = FineTuneRun.Start(config, train, Test(images, config), interrupted)) run.Run(stopAfterSteps: 7);
            Assert.That(Lines(interrupted), Has.Count.EqualTo(1));
        }
        using (var train = new LabelledTrainingSet(images, config))
        using (var run = FineTuneRun.Resume(interrupted, train, Test(images, config)))
        {
            Assert.That(run.Position.Epoch, Is.EqualTo(1));
            Assert.That(run.Position.GlobalStep, Is.EqualTo(5));
            run.Run();
        }
        List<string> a = Lines(straight), b = Lines(interrupted);
        Assert.That(a, Has.Count.EqualTo(3));
        Assert.That(b, Is.EqualTo(a));
        var last = System.Text.Json.JsonDocument.Parse(a[^1]).RootElement;
        Assert.That(last.GetProperty("step").GetInt32(), Is.EqualTo(15));
        Assert.That(last.GetProperty("head_lr").GetDouble(), Is.EqualTo(0.2 * (1 + Math.Cos(Math.PI * 2 / 3)) / 2).Within(1e-15), "cosine over 3 epochs at 10× the backbone's rate");
        Assert.That(last.TryGetProperty("test_top1", out _), Is.True);
        using var sa = SafeTensors.Load(Path.Combine(straight, FineTuneRun.CheckpointFile));
        using var sb = SafeTensors.Load(Path.Combine(interrupted, FineTuneRun.CheckpointFile));
        Assert.That(sa.Names, Does.Contain("fc.weight").And.Contain("layer4.1.bn2.running_var").And.Contain("optimizer.backbone.state.0.momentum_buffer")
            .And.Contain("optimizer.head.state.1.momentum_buffer").And.Contain("train_indices"));
        foreach (var (name, t) in sa.Tensors) Assert.That(sb.Tensors[name].SameValues(t), Is.True, name);
        Assert.That(FineTuneRun.ReadConfig(straight), Is.EqualTo(config).Using<FineTuneConfig>((x, y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y)));
    }

    [Test]
    public void Resuming_over_another_label_draw_is_refused()
    {
        using var images = PretrainRunTests.Blobs();
        using (var train = new LabelledTrainingSet(images, Tiny))
        using (var run = FineTuneRun.Start(Tiny with { Epochs = 1 }, train, null, dir)) run.Run();
        using var other = new LabelledTrainingSet(images, Tiny with { Seed = 10 });
        var e = Assert.Throws<InvalidDataException>(() => FineTuneRun.Resume(dir, other, null));
        Assert.That(e!.Message, Does.Contain("labelled draw"));
    }

    [Test]
    public void The_draw_is_stratified_seeded_and_nested()
    {
        using var images = PretrainRunTests.Blobs();
        using var two = new LabelledTrainingSet(images, Tiny with { LabelsPerClass = 2 });
        using var six = new LabelledTrainingSet(images, Tiny);
        using var again = new LabelledTrainingSet(images, Tiny);
        using var half = new LabelledTrainingSet(images, Tiny with { LabelsPerClass = null, LabelFraction = 0.5 });
        using var all = new LabelledTrainingSet(images, Tiny with { LabelsPerClass = null });
        Assert.That(two.PerClass.Values, Is.All.EqualTo(2));
        Assert.That(six.Indices, Is.EqualTo(again.Indices));
        Assert.That(two.Indices, Is.SubsetOf(six.Indices));
        Assert.That(half.PerClass.Values, Is.All.EqualTo(8));
        Assert.That(all.Count, Is.EqualTo(48));
        Assert.That(six.Indices.Select(i => images.Labels![i]).GroupBy(l => l).Select(g => g.Count()), Is.All.EqualTo(6));
    }

    [Test]
    public void A_class_with_fewer_images_than_asked_and_a_label_less_source_give_one_clear_error()
    {
        using var images = PretrainRunTests.Blobs();
        var e = Assert.Throws<ArgumentException>(() => new LabelledTrainingSet(images, Tiny with { LabelsPerClass = 20 }));
        Assert.That(e!.Message, Does.Contain("20 training images per class were asked for").And.Contain("'0' has 16"));
        using var unlabelled = InMemoryImages.FromPixels(new byte[4 * 16 * 16], 4, 1, 16, 16);
        e = Assert.Throws<ArgumentException>(() => new LabelledTrainingSet(unlabelled, Tiny));
        Assert.That(e!.Message, Does.Contain("needs labelled training images"));
    }

    [Test]
    public void A_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint()
    {
        using var images = PretrainRunTests.Blobs();
        using var train = new LabelledTrainingSet(images, Tiny);
        using var run = FineTuneRun.Start(Tiny, train, null, dir);
        run.Run(stopAfterSteps: 5);   // epoch 0 done and saved
        using (no_grad()) run.Model.Network.Head.parameters().First().fill_(double.NaN);
        var e = Assert.Throws<TrainingDivergedException>(() => run.Run());
        string ckpt = Path.Combine(dir, FineTuneRun.CheckpointFile);
        Assert.That(e!.Message, Does.Contain("NaN").And.Contain("epoch 1, batch 0").And.Contain(ckpt));
        using var kept = SafeTensors.Load(ckpt);
        Assert.That(kept.Metadata["moco.position"], Does.Contain("\"Epoch\":1").And.Contain("\"GlobalStep\":5"));
        Assert.That(kept.Tensors["fc.weight"].isnan().any().item<bool>(), Is.False, "the saved classifier is the last good one");
    }

    // The live line is pretraining's ProgressLine: "\r" + text on each redraw, blanked ("\r", 110 spaces, "\r") before an
    // epoch's line and at the end. 18 images in batches of 4: 5 batches per epoch; the last redraw of an epoch is its
    // last batch, with the epoch's mean loss (log.jsonl's) and, at the run's last batch, nothing left to do.
    [Test]
    public void The_progress_line_shows_each_epoch_s_batches_loss_pace_and_eta_and_is_blanked_before_each_epoch_line()
    {
        using var images = PretrainRunTests.Blobs();
        var config = Tiny with { Epochs = 2 };
        using var train = new LabelledTrainingSet(images, config);
        var (output, progress, both) = (new StringWriter(), new StringWriter(), new StringWriter());
        using (var run = FineTuneRun.Start(config, train, null, Path.Combine(dir, "apart"))) run.Run(output, progress: progress);
        using (var run = FineTuneRun.Start(config, train, null, Path.Combine(dir, "one"))) run.Run(both, progress: both);

        string blank = "\r" + new string(' ', 110) + "\r";
        var losses = Lines(Path.Combine(dir, "apart")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        string text = progress.ToString();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            string last = System.FormattableString.Invariant($"\repoch {epoch + 1}/2 [{new string('#', 24)}] 5/5  loss {losses[epoch]:F4}  lr ");
            Assert.That(text, Does.Contain(last), $"epoch {epoch}'s last redraw, with the log's loss: {text}");
            Assert.That(both.ToString(), Does.Contain(blank + $"epoch {epoch + 1}/2: loss"), "the live line is blanked before the epoch's line");
        }
        var redraws = text.Split(blank).SelectMany(part => part.Split('\r', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.That(redraws, Is.Not.Empty);
        Assert.That(redraws, Has.All.Match(@"^epoch [12]/2 \[[#-]{24}\] [1-5]/5  loss \d+\.\d{4}  lr \S+  \d+ img/s  ETA \d\d:\d\d:\d\d *$"));
        Assert.That(redraws[^1].TrimEnd(), Does.EndWith("ETA 00:00:00"), "nothing left after the last batch");
        Assert.That(text, Does.EndWith(blank), "the run leaves no half-drawn line");
        Assert.That(output.ToString(), Does.Not.Contain("\r"));
        Assert.That(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2));
    }

    // Fashion-MNIST, 20 labels per class (200 images), ResNet-18 width 8 from random init, 15 epochs on the CPU: the
    // classifier must beat chance (10%) threefold on 1,000 test images (measured: 43.50%; deterministic, one thread).
    [Test]
    public void A_short_run_on_few_fashion_mnist_labels_beats_chance_clearly()
    {
        if (!File.Exists(Path.Combine(IdxImages.FashionMnistDirectory, "t10k-labels-idx1-ubyte.gz")) && !File.Exists(Path.Combine(IdxImages.FashionMnistDirectory, "t10k-labels-idx1-ubyte")))
            Assert.Ignore($"Fashion-MNIST is not installed in {IdxImages.FashionMnistDirectory} (Debian's dataset-fashion-mnist)");
        using var trainImages = IdxImages.LoadSplit(IdxImages.FashionMnistDirectory, train: true, limit: 6000);
        using var testImages = IdxImages.LoadSplit(IdxImages.FashionMnistDirectory, train: false, limit: 1000);
        var config = new FineTuneConfig { Width = 8, LabelsPerClass = 20, Epochs = 15, BatchSize = 32, Threads = 1, Seed = 1 };
        using var train = new LabelledTrainingSet(trainImages, config);
        var test = new InMemoryLabelledImages(testImages, LabelledTrainingSet.Evaluation(config));
        using var run = FineTuneRun.Start(config, train, test, dir);
        run.Run();
        double top1 = run.Evaluate(test).Top1;
        TestContext.Out.WriteLine($"fine-tuned from random init, 20 labels per class, 15 epochs: test top-1 {top1:P2}");
        Assert.That(top1, Is.GreaterThan(0.3), $"top-1 {top1:P2} (chance: 10%)");
    }
}
