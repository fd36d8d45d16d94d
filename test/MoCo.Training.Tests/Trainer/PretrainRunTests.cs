using TorchSharp;
using MoCo.Training.Data;
using MoCo.Training.Method;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Trainer;

public class PretrainRunTests
{
    private string dir = "";

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("moco-run-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    internal static readonly PretrainConfig Tiny = PretrainConfig.V2 with
    {
        Arch = "resnet18", Width = 4, SmallImages = true, InChannels = 1, Dim = 16, QueueSize = 32, Momentum = 0.9,
        BatchSize = 8, Epochs = 2, LearningRate = 0.05, LogEvery = 1, CheckpointEvery = 2, Threads = 1, Seed = 7, BnSplits = 2,
    };

    /// <summary>48 gray 16×16 images: a bright square at a random place on noise.</summary>
    internal static InMemoryImages Blobs(int count = 48, int seed = 3)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * 16 * 16];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 3;
            int r0 = rng.Next(0, 10), c0 = rng.Next(0, 10);
            for (int p = 0; p < 256; p++) pixels[i * 256 + p] = (byte)rng.Next(0, 60);
            for (int r = r0; r < r0 + 3 + labels[i] * 2 && r < 16; r++)
                for (int c = c0; c < c0 + 3 + labels[i] * 2 && c < 16; c++) pixels[i * 256 + r * 16 + c] = 230;
        }
        return InMemoryImages.FromPixels(pixels, count, 1, 16, 16, labels);
    }

    private static IViewPairSource Source(InMemoryImages images, PretrainConfig config) =>
        new InMemoryViewPairSource(images, config.Augmentation(16, [0.3], [0.3]), config.Seed);

    private static List<string> LossLines(string runDir) =>
        File.ReadLines(Path.Combine(runDir, PretrainRun.LogFile))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\"images_per_s\":[^,}]*", "")).ToList();

    [TestCase(ContrastiveMethod.MoCo)]
    [TestCase(ContrastiveMethod.EndToEnd)]
    [TestCase(ContrastiveMethod.MemoryBank)]
    public void A_killed_and_resumed_run_gives_the_losses_of_an_uninterrupted_one_bit_for_bit(ContrastiveMethod method)
    {
        using var images = Blobs();
        var config = Tiny with { Method = method };
        string straight = Path.Combine(dir, "straight"), interrupted = Path.Combine(dir, "interrupted");
        using (var run = PretrainRun.Start(config, Source(images, config), null, straight)) run.Run();

        using (var run = PretrainRun.Start(config, Source(images, config), null, interrupted)) run.Run(stopAfterSteps: 9);
        // Killed after step 9: its last checkpoint is from step 8 (every 2 steps; 6 batches per epoch).
        using (var run = PretrainRun.Resume(interrupted, Source(images, config), null))
        {
            Assert.That(run.Config.Method, Is.EqualTo(method));
            Assert.That(run.Position.GlobalStep, Is.EqualTo(8));
            Assert.That(run.Position.Epoch, Is.EqualTo(1));
            Assert.That(run.Position.Batch, Is.EqualTo(2));
            run.Run();
        }
        List<string> a = LossLines(straight), b = LossLines(interrupted);
        Assert.That(a, Has.Count.EqualTo(12));
        Assert.That(b, Is.EqualTo(a));

        using var sa = MoCo.Training.Serialization.SafeTensors.Load(Path.Combine(straight, PretrainRun.CheckpointFile));
        using var sb = MoCo.Training.Serialization.SafeTensors.Load(Path.Combine(interrupted, PretrainRun.CheckpointFile));
        foreach (var (name, t) in sa.Tensors) Assert.That(sb.Tensors[name].SameValues(t), Is.True, name);
        Assert.That(File.Exists(Path.Combine(straight, PretrainRun.CurvesFile)), Is.True);
    }

    [Test]
    public void The_checkpoint_uses_the_official_names_and_holds_the_whole_state()
    {
        using var images = Blobs();
        using (var run = PretrainRun.Start(Tiny with { Epochs = 1 }, Source(images, Tiny), null, dir)) run.Run();
        using var ckpt = MoCo.Training.Serialization.SafeTensors.Load(Path.Combine(dir, PretrainRun.CheckpointFile));
        Assert.That(ckpt.Names, Does.Contain("encoder_q.conv1.weight").And.Contain("encoder_k.layer4.1.bn2.running_var")
            .And.Contain("encoder_q.fc.0.weight").And.Contain("encoder_q.fc.2.weight").And.Contain("queue").And.Contain("queue_ptr")
            .And.Contain("optimizer.state.0.momentum_buffer").And.Contain("rng.torch_cpu"));
        Assert.That(ckpt.Metadata["moco.checkpoint_version"], Is.EqualTo("1"));
        Assert.That(PretrainRun.ReadConfig(dir), Is.EqualTo(Tiny with { Epochs = 1 }).Using<PretrainConfig>((x, y) =>
            System.Text.Json.JsonSerializer.Serialize(x) == System.Text.Json.JsonSerializer.Serialize(y)));
    }

    [Test]
    public void Checkpoints_of_the_other_methods_hold_their_state_export_and_refuse_another_methods_model()
    {
        using var images = Blobs();
        string e2e = Path.Combine(dir, "e2e"), bank = Path.Combine(dir, "bank");
        var e2eConfig = Tiny with { Method = ContrastiveMethod.EndToEnd, Epochs = 1, InputSize = 16, Mean = [0.3], Std = [0.3] };
        var bankConfig = e2eConfig with { Method = ContrastiveMethod.MemoryBank, MemoryBankMomentum = 0.7 };
        using (var run = PretrainRun.Start(e2eConfig, Source(images, e2eConfig), null, e2e)) run.Run();
        using (var run = PretrainRun.Start(bankConfig, Source(images, bankConfig), null, bank)) run.Run();

        using (var ckpt = MoCo.Training.Serialization.SafeTensors.Load(Path.Combine(e2e, PretrainRun.CheckpointFile)))
        {
            var model = ckpt.Names.Where(n => !n.StartsWith("optimizer.", StringComparison.Ordinal) && n != "rng.torch_cpu").ToList();
            Assert.That(model, Has.All.StartWith("encoder_q."), "one encoder, no queue");
            Assert.That(ckpt.Metadata["moco.config"], Does.Contain("\"Method\":\"EndToEnd\"").And.Not.Contain("MemoryBankMomentum"));
        }
        using (var ckpt = MoCo.Training.Serialization.SafeTensors.Load(Path.Combine(bank, PretrainRun.CheckpointFile)))
        {
            Assert.That(ckpt.Tensors["memory_bank"].shape, Is.EqualTo(new long[] { 48, 16 }));
            Assert.That(ckpt.Names.Where(n => n.StartsWith("encoder_k.", StringComparison.Ordinal) || n.StartsWith("queue", StringComparison.Ordinal)), Is.Empty);
            Assert.That(PretrainRun.ReadConfig(bank).MemoryBankMomentum, Is.EqualTo(0.7));
            using var moco = new MomentumContrast(Tiny.EncoderOptions, Tiny.MoCoOptions);
            using var sgd = new MoCo.Training.Optim.SGD(moco.encoder_q.parameters(), 0.1, 0.9, 0, 0, false);
            var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(ckpt, moco, sgd));
            Assert.That(e!.Message, Does.Contain("memory-bank run").And.Contain("the model is moco"));
        }
        // The exported encoder is encoder_q for every method.
        foreach (string run in new[] { e2e, bank })
        {
            var summary = MoCo.Training.Export.CheckpointExport.Export(Path.Combine(run, PretrainRun.CheckpointFile), Path.Combine(run, "encoder.onnx"));
            Assert.That(summary.FeatureDim, Is.EqualTo(32), "the backbone's features (width 4: 8·4)");
        }
    }

    [Test]
    public void Per_step_schedule_with_warmup_sets_the_closed_form_rate_at_every_step()
    {
        using var images = Blobs();
        var config = Tiny with { LrPerStep = true, WarmupEpochs = 1, LearningRate = 0.1 };
        using (var run = PretrainRun.Start(config, Source(images, config), null, dir)) run.Run();
        var rates = File.ReadLines(Path.Combine(dir, PretrainRun.LogFile))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("lr").GetDouble()).ToArray();
        Assert.That(rates, Has.Length.EqualTo(12));
        for (int t = 0; t < 12; t++)
        {
            // Warm-up over the 6 steps of epoch 0 from a third of the rate, times cosine over all 12 steps.
            double warm = t >= 6 ? 1 : 1.0 / 3 + (1 - 1.0 / 3) * t / 6;
            double cosine = 0.1 * (1 + Math.Cos(Math.PI * t / 12)) / 2;
            Assert.That(rates[t], Is.EqualTo(warm * cosine).Within(1e-12), $"step {t}");
        }
    }

    private sealed class PoisonedSource(IViewPairSource inner, int poisonedBatch) : IViewPairSource
    {
        public int Count => inner.Count;
        public (int channels, int height, int width) ViewShape => inner.ViewShape;
        public int BatchesPerEpoch(int batchSize) => inner.BatchesPerEpoch(batchSize);
        public IEnumerable<ViewPairBatch> Epoch(int epoch, int startBatch, int batchSize, Device device)
        {
            foreach (var batch in inner.Epoch(epoch, startBatch, batchSize, device))
            {
                if (batch.Index == poisonedBatch) batch.Query.fill_(double.NaN);
                yield return batch;
            }
        }
    }

    [Test]
    public void A_nan_loss_stops_the_run_with_a_clear_message_and_keeps_the_last_good_checkpoint()
    {
        using var images = Blobs();
        using var run = PretrainRun.Start(Tiny, new PoisonedSource(Source(images, Tiny), 4), null, dir);
        string ckpt = Path.Combine(dir, PretrainRun.CheckpointFile);
        var e = Assert.Throws<TrainingDivergedException>(() => run.Run());
        Assert.That(e!.Message, Does.Contain("NaN").And.Contain("batch 4").And.Contain(ckpt));
        using var kept = MoCo.Training.Serialization.SafeTensors.Load(ckpt);
        Assert.That(kept.Metadata["moco.position"], Does.Contain("\"GlobalStep\":4"));
    }

    [Test]
    public void A_run_starts_by_saying_what_its_augmentation_skips()
    {
        using var images = Blobs();
        var config = Tiny with { FullAugmentation = false };
        var output = new StringWriter();
        using (var run = PretrainRun.Start(config, Source(images, config), null, dir)) run.Run(output, stopAfterSteps: 0);
        Assert.That(output.ToString().Split('\n')[0], Does.StartWith("augmentation (batched in libtorch)")
            .And.Contain("skipped from the preset's recipe: Gaussian blur (p 0.5, sigma 0.1–2), hue jitter (0.1)"));
    }

    [Test]
    public void Invalid_configurations_are_refused_before_training()
    {
        using var images = Blobs();
        Assert.Throws<ArgumentException>(() => PretrainRun.Start(Tiny with { QueueSize = 30 }, Source(images, Tiny), null, dir));
        Assert.Throws<ArgumentException>(() => PretrainRun.Start(Tiny with { InChannels = 3 }, Source(images, Tiny), null, dir));
        Assert.Throws<ArgumentException>(() => PretrainRun.Start(Tiny with { BatchSize = 64 }, Source(images, Tiny), null, dir));
        Assert.Throws<InvalidOperationException>(() => PretrainRun.Start(Tiny with { Device = "cuda" }, Source(images, Tiny), null, dir));
        Assert.Throws<FileNotFoundException>(() => PretrainRun.Resume(Path.Combine(dir, "none"), Source(images, Tiny), null));
    }
}
