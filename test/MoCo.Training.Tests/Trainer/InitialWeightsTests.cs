using System.Text.Json;
using TorchSharp;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Method;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Trainer;

// `moco pretrain --init`: a new run starting from one of our checkpoints (trained or imported).
public class InitialWeightsTests
{
    private string dir = "";

    [SetUp]
    public void MakeDir() => dir = Directory.CreateTempSubdirectory("moco-init-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private static readonly PretrainConfig Tiny = PretrainRunTests.Tiny;

    private static IViewPairSource Source(InMemoryImages images, PretrainConfig config) =>
        new InMemoryViewPairSource(images, config.Augmentation(16, [0.3], [0.3]), config.Seed);

    private static List<string> LossLines(string runDir) =>
        File.ReadLines(Path.Combine(runDir, PretrainRun.LogFile))
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\"images_per_s\":[^,}]*", "")).ToList();

    /// <summary>A briefly pretrained source run (2 epochs of <see cref="Tiny"/>, seed 7): its checkpoint's path.</summary>
    private string Pretrained(InMemoryImages images, KnnMonitor? knn = null, PretrainConfig? config = null)
    {
        string source = Path.Combine(dir, "source");
        config ??= Tiny;
        using var run = PretrainRun.Start(config, Source(images, config), knn, source);
        run.Run();
        return Path.Combine(source, PretrainRun.CheckpointFile);
    }

    private static PretrainConfig From(string path, bool queue = false) =>
        Tiny with { Seed = 11, Epochs = 2, InitFrom = new InitialWeights { Path = path, Queue = queue } };

    [Test]
    public void A_run_from_a_trained_checkpoint_starts_with_its_encoders_and_its_kNN()
    {
        using var images = PretrainRunTests.Blobs();
        using var test = PretrainRunTests.Blobs(48, seed: 9);
        var knn = new KnnMonitor(images, test, Tiny.Augmentation(16, [0.3], [0.3]), 5);
        string source = Path.Combine(dir, "source");
        double sourceEnd;
        using (var run = PretrainRun.Start(Tiny, Source(images, Tiny), knn, source))
        {
            run.Run();
            sourceEnd = run.EvaluateKnn()!.Value;
        }
        string ckpt = Path.Combine(source, PretrainRun.CheckpointFile);
        double random;
        using (var run = PretrainRun.Start(Tiny with { Seed = 11 }, Source(images, Tiny), knn, Path.Combine(dir, "random")))
            random = run.EvaluateKnn()!.Value;

        using var init = PretrainRun.Start(From(ckpt), Source(images, Tiny), knn, Path.Combine(dir, "init"));
        TestContext.Out.WriteLine($"kNN top-1: random init {random:P2}, source at its end {sourceEnd:P2}, --init run at step 0 {init.EvaluateKnn():P2}");
        Assert.That(init.EvaluateKnn(), Is.EqualTo(sourceEnd), "the --init run's step-0 kNN is the source's at its end");
        Assert.That(init.EvaluateKnn(), Is.Not.EqualTo(random), "not random init's");
        // The source's own log says the same at its end (the epoch-end kNN line).
        double logged = File.ReadLines(Path.Combine(source, PretrainRun.LogFile)).Select(l => JsonDocument.Parse(l).RootElement)
            .Last(e => e.TryGetProperty("knn_top1", out _)).GetProperty("knn_top1").GetDouble();
        Assert.That(logged, Is.EqualTo(sourceEnd).Within(1e-6));

        // Step 0: every encoder_q.* and encoder_k.* entry is the file's (the key encoder its own, not the query's).
        using var file = SafeTensors.Load(ckpt);
        var model = (MomentumContrast)init.Model;
        int compared = 0;
        foreach (var (name, t) in model.StateEntries().Where(e => e.name.StartsWith("encoder_", StringComparison.Ordinal)))
        {
            Assert.That(t.SameValues(file.Tensors[name]), Is.True, name);
            compared++;
        }
        Assert.That(compared, Is.EqualTo(file.Tensors.Keys.Count(k => k.StartsWith("encoder_", StringComparison.Ordinal))));
        Assert.That(file.Tensors["encoder_k.conv1.weight"].SameValues(file.Tensors["encoder_q.conv1.weight"]), Is.False, "the source's encoders differ");
        Assert.That(model.queue.SameValues(file.Tensors["queue"]), Is.False, "the queue is fresh without --init-queue");
        Assert.That(init.Initialisation, Is.EqualTo(new Initialisation
        {
            From = new InitialWeights { Path = ckpt, Sha256 = init.Config.InitFrom!.Sha256 }, HeadKept = true, HasKeyEncoder = true, KeyEncoderFromFile = true,
        }));
        Assert.That(init.Position.GlobalStep, Is.Zero);
    }

    [Test]
    public void The_config_records_the_file_and_its_hash_and_a_config_without_init_reads_as_before()
    {
        using var images = PretrainRunTests.Blobs();
        string ckpt = Pretrained(images);
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(ckpt)));
        using (var run = PretrainRun.Start(From(ckpt, queue: true), Source(images, Tiny), null, Path.Combine(dir, "init")))
        {
            Assert.That(run.Config.InitFrom, Is.EqualTo(new InitialWeights { Path = ckpt, Sha256 = hash, Queue = true }));
            Assert.That(run.Initialisation!.QueueFromFile, Is.True);
            using var file = SafeTensors.Load(ckpt);
            var model = (MomentumContrast)run.Model;
            Assert.That(model.queue.SameValues(file.Tensors["queue"]), Is.True, "--init-queue takes the file's queue");
            Assert.That(model.queue_ptr.item<long>(), Is.EqualTo(file.Tensors["queue_ptr"].item<long>()));
            run.Run(stopAfterSteps: 3);   // checkpointed at step 2
        }
        Assert.That(PretrainRun.ReadConfig(Path.Combine(dir, "init")).InitFrom, Is.EqualTo(new InitialWeights { Path = ckpt, Sha256 = hash, Queue = true }));
        Assert.That(JsonSerializer.Serialize(Tiny), Does.Not.Contain("InitFrom"));
        Assert.That(JsonSerializer.Deserialize<PretrainConfig>(JsonSerializer.Serialize(Tiny)), Is.Not.Null.And.Property("InitFrom").Null);
        // A config that has a hash refuses a file with another.
        var stale = From(ckpt) with { InitFrom = new InitialWeights { Path = ckpt, Sha256 = new string('0', 64) } };
        Assert.That(() => PretrainRun.Start(stale, Source(images, Tiny), null, Path.Combine(dir, "stale")),
            Throws.ArgumentException.With.Message.Contains("the file changed"));
    }

    [Test]
    public void A_killed_and_resumed_init_run_gives_the_losses_of_an_uninterrupted_one_bit_for_bit_without_reading_the_file_again()
    {
        using var images = PretrainRunTests.Blobs();
        string ckpt = Pretrained(images);
        var config = From(ckpt);
        string straight = Path.Combine(dir, "straight"), interrupted = Path.Combine(dir, "interrupted");
        using (var run = PretrainRun.Start(config, Source(images, config), null, straight)) run.Run();
        using (var run = PretrainRun.Start(config, Source(images, config), null, interrupted)) run.Run(stopAfterSteps: 9);
        // Resume must not re-apply --init: the file is gone, and the run continues from its own checkpoint.
        File.Move(ckpt, ckpt + ".moved");
        using (var run = PretrainRun.Resume(interrupted, Source(images, config), null))
        {
            Assert.That(run.Position.GlobalStep, Is.EqualTo(8));
            Assert.That(run.Initialisation, Is.Null);
            Assert.That(run.Config.InitFrom!.Path, Is.EqualTo(ckpt));
            run.Run();
        }
        List<string> a = LossLines(straight), b = LossLines(interrupted);
        Assert.That(a, Has.Count.EqualTo(12));
        Assert.That(b, Is.EqualTo(a));
        using var sa = SafeTensors.Load(Path.Combine(straight, PretrainRun.CheckpointFile));
        using var sb = SafeTensors.Load(Path.Combine(interrupted, PretrainRun.CheckpointFile));
        foreach (var (name, t) in sa.Tensors) Assert.That(sb.Tensors[name].SameValues(t), Is.True, name);
    }

    [Test]
    public void A_head_that_does_not_fit_is_new_and_a_file_without_a_key_encoder_gives_its_query_encoder_to_both()
    {
        using var images = PretrainRunTests.Blobs();
        string ckpt = Pretrained(images);
        // As moco import writes a torchvision file: encoder_q without a head, encoder_k its copy, no queue.
        string imported = Path.Combine(dir, "imported.ckpt");
        using (var file = SafeTensors.Load(ckpt))
        {
            var q = file.Tensors.Where(kv => kv.Key.StartsWith("encoder_q.", StringComparison.Ordinal) && !kv.Key.StartsWith("encoder_q.fc", StringComparison.Ordinal)).ToList();
            SafeTensors.Save(imported, q, file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value));
        }
        using var init = PretrainRun.Start(From(imported) with { Dim = 8 }, Source(images, Tiny), null, Path.Combine(dir, "init"));
        Assert.That(init.Initialisation!.HeadKept, Is.False);
        Assert.That(init.Initialisation.NewHeadReason, Is.EqualTo("the checkpoint has none"));
        Assert.That(init.Initialisation.KeyEncoderFromFile, Is.False);
        using var source = SafeTensors.Load(imported);
        var model = (MomentumContrast)init.Model;
        foreach (var (name, t) in model.encoder_q.StateEntries())
        {
            if (name.StartsWith("fc", StringComparison.Ordinal)) continue;
            Assert.That(t.SameValues(source.Tensors["encoder_q." + name]), Is.True, name);
        }
        var k = model.encoder_k.StateEntries().ToDictionary(e => e.name, e => e.tensor);
        foreach (var (name, t) in model.encoder_q.StateEntries()) Assert.That(k[name].SameValues(t), Is.True, $"encoder_k.{name} is the query's");
        Assert.That(model.encoder_q.StateEntries().First(e => e.name == "fc.2.weight").tensor.shape, Is.EqualTo(new long[] { 8, 32 }));

        // The trained file's MLP head does not fit a linear run: a new head, and the message says both.
        using var linear = PretrainRun.Start(From(ckpt) with { Mlp = false }, Source(images, Tiny), null, Path.Combine(dir, "linear"));
        Assert.That(linear.Initialisation!.NewHeadReason, Is.EqualTo("the checkpoint's is an MLP 32 → 32 → 16, the run's config asks for a linear head 32 → 16"));
    }

    [Test]
    public void Errors_name_what_is_wrong()
    {
        using var images = PretrainRunTests.Blobs();
        string ckpt = Pretrained(images);
        IViewPairSource Data() => Source(images, Tiny);
        string Out(string name) => Path.Combine(dir, name);

        Assert.That(() => PretrainRun.Start(From(ckpt) with { Width = 8 }, Data(), null, Out("a")),
            Throws.ArgumentException.With.Message.Contains("the run's network is resnet18 width 8, small-image stem, 1 channel(s), the checkpoint's is resnet18 width 4, small-image stem, 1 channel(s)"));
        Assert.That(() => PretrainRun.Start(From(ckpt, queue: true) with { QueueSize = 64 }, Data(), null, Out("b")),
            Throws.ArgumentException.With.Message.Contains("queue is 16 × 32 (dim × K), the run's is 16 × 64"));
        Assert.That(() => PretrainRun.Start(From(ckpt, queue: true) with { Method = ContrastiveMethod.EndToEnd }, Data(), null, Out("c")),
            Throws.ArgumentException.With.Message.Contains("--init-queue takes a MoCo queue; the run is end-to-end"));
        string noQueue = Out("no-queue.ckpt");
        using (var file = SafeTensors.Load(ckpt))
            SafeTensors.Save(noQueue, file.Tensors.Where(kv => kv.Key.StartsWith("encoder_", StringComparison.Ordinal)), file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value));
        Assert.That(() => PretrainRun.Start(From(noQueue, queue: true), Data(), null, Out("d")),
            Throws.ArgumentException.With.Message.Contains($"--init-queue: {noQueue} has no queue"));
        Assert.That(() => PretrainRun.Start(From(Out("missing.ckpt")), Data(), null, Out("e")),
            Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("missing.ckpt: no such file"));
        string pth = Out("moco_v2_800ep_pretrain.pth.tar");
        File.WriteAllBytes(pth, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        Assert.That(() => PretrainRun.Start(From(pth), Data(), null, Out("f")),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("a PyTorch file").And.Message.Contains($"moco import {pth} --out moco_v2_800ep_pretrain.pth.ckpt"));
        File.WriteAllBytes(pth, [0x80, 0x02, 0x8a, 0x0a]);
        Assert.That(() => PretrainRun.Start(From(pth), Data(), null, Out("g")),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("a PyTorch file"));
        string timm = Out("timm.safetensors");
        using (var file = SafeTensors.Load(ckpt)) SafeTensors.Save(timm, file.Tensors.Where(kv => kv.Key.StartsWith("encoder_q.", StringComparison.Ordinal)));
        Assert.That(() => PretrainRun.Start(From(timm), Data(), null, Out("h")),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not a MoCo.MLNet training checkpoint").And.Message.Contains("moco import"));
        foreach (string name in new[] { "a", "b", "c", "d", "e", "f", "g", "h" })
            Assert.That(File.Exists(Path.Combine(Out(name), PretrainRun.CheckpointFile)), Is.False, name);
    }
}
