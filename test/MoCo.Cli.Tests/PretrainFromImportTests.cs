using MoCo.Cli.Tests.Support;
using MoCo.Training.Data;
using MoCo.Training.Serialization;
using MoCo.Training.Tests.Import;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Tests;

// PyTorch file → `moco import` → `moco pretrain --init`: the run starts from the weights PyTorch wrote (Debian's
// python3-torch writes an official MoCo v2 checkpoint, legacy format, and a torchvision state dict, zip format).
[NonParallelizable]
public class PretrainFromImportTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteFiles()
    {
        dir = TinyIdxData.Create("moco-init-import-", seed: 2, count: 32, side: 16);
        TorchFiles.Write(dir, """
            a = ("resnet18", 8, True, 1)
            tc.moco("moco-mlp.legacy.pth.tar", "moco-mlp.expected", *a, head="mlp", legacy=True)
            tc.torchvision_resnet("torchvision.zip.pth", "torchvision.expected", *a, legacy=False)
            tc.solo_learn("solo-learn.zip.ckpt", "solo-learn.expected", *a, legacy=False)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static readonly PretrainConfig Run = PretrainConfig.V2 with
    {
        Arch = "resnet18", Width = 8, SmallImages = true, InChannels = 1, Dim = 16, QueueSize = 64, BatchSize = 16, Epochs = 1, Threads = 1,
    };

    private static IViewPairSource Data(InMemoryImages images) => new InMemoryViewPairSource(images, BatchedAugmentation.From(Run.AugmentationRecipe(16, [0.5], [0.5])), 0);

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    private static InMemoryImages Images()
    {
        var rng = new Random(4);
        var pixels = new byte[32 * 256];
        rng.NextBytes(pixels);
        return InMemoryImages.FromPixels(pixels, 32, 1, 16, 16, null);
    }

    [Test]
    public void An_imported_MoCo_checkpoint_gives_both_encoders_the_head_and_with_init_queue_the_queue()
    {
        var (code, _, err) = MocoRun.Captured("import", P("moco-mlp.legacy.pth.tar"), "--out", P("moco.ckpt"));
        Assert.That(code, Is.Zero, err);
        using var images = Images();
        using (var run = PretrainRun.Start(Run with { InitFrom = new InitialWeights { Path = P("moco.ckpt"), Queue = true } }, Data(images), null, P("run-moco")))
        using (var expected = SafeTensors.Load(P("moco-mlp.expected")))
        {
            var state = run.Model.state_dict();
            foreach (var (name, t) in expected.Tensors)
            {
                Assert.That(Same(state[name], t), Is.True, name);
            }
            Assert.That(run.Initialisation, Has.Property("HeadKept").True.And.Property("KeyEncoderFromFile").True.And.Property("QueueFromFile").True);
        }

        var (trained, output, errors) = MocoRun.Captured("pretrain", "--data", $"idx:{dir}:train", "--batch", "16", "--queue", "64", "--dim", "16",
            "--epochs", "1", "--threads", "1", "--init", P("moco.ckpt"), "--init-queue", "--lr", "0.01", "--out", P("cli-moco"));
        Assert.That(trained, Is.Zero, errors);
        Assert.That(output, Does.Contain("resnet18 width 8").And.Contain("key encoder from its encoder_k").And.Contain("head: the file's").And.Contain("queue: the file's"));
    }

    [Test]
    public void An_imported_torchvision_backbone_gives_both_encoders_its_weights_and_a_new_head()
    {
        var (code, _, err) = MocoRun.Captured("import", P("torchvision.zip.pth"), "--out", P("tv.ckpt"));
        Assert.That(code, Is.Zero, err);
        using var images = Images();
        using (var run = PretrainRun.Start(Run with { InitFrom = new InitialWeights { Path = P("tv.ckpt") } }, Data(images), null, P("run-tv")))
        using (var expected = SafeTensors.Load(P("torchvision.expected")))
        {
            var state = run.Model.state_dict();
            foreach (var (name, t) in expected.Tensors)
            {
                Assert.That(Same(state[name], t), Is.True, name);
                Assert.That(Same(state["encoder_k" + name["encoder_q".Length..]], t), Is.True, "encoder_k of " + name);
            }
            Assert.That(run.Initialisation, Has.Property("HeadKept").False.And.Property("KeyEncoderFromFile").False);
        }
        // The file has no queue: --init-queue is refused.
        var (refused, _, errors) = MocoRun.Captured("pretrain", "--data", $"idx:{dir}:train", "--batch", "16", "--queue", "64", "--epochs", "1",
            "--init", P("tv.ckpt"), "--init-queue", "--out", P("cli-tv"));
        Assert.That(refused, Is.EqualTo(1));
        Assert.That(errors, Does.Contain($"--init-queue: {P("tv.ckpt")} has no queue"));
    }

    [Test]
    public void An_imported_solo_learn_CIFAR_backbone_trains_with_its_stem_padded_by_2()
    {
        var (code, _, err) = MocoRun.Captured("import", P("solo-learn.zip.ckpt"), "--out", P("solo.ckpt"));
        Assert.That(code, Is.Zero, err);
        // A library run must name the checkpoint's stem: the padding is part of the network, as arch and width are.
        using (var images = Images())
        {
            var e = Assert.Throws<ArgumentException>(() => PretrainRun.Start(Run with { InitFrom = new InitialWeights { Path = P("solo.ckpt") } }, Data(images), null, P("run-solo-usual")))!;
            Assert.That(e.Message, Does.Contain("the run's network is resnet18 width 8, small-image stem, 1 channel(s), the checkpoint's is resnet18 width 8, small-image stem padded by 2, 1 channel(s)"));
            using var run = PretrainRun.Start(Run with { StemPadding = 2, InitFrom = new InitialWeights { Path = P("solo.ckpt") } }, Data(images), null, P("run-solo"));
            Assert.That(run.Model.encoder_q.Options.StemPaddingInForce, Is.EqualTo(2));
        }
        // The command takes the stem from the --init checkpoint, writes it into the run's config, and a resume keeps it.
        string[] args = ["pretrain", "--data", $"idx:{dir}:train", "--batch", "16", "--queue", "64", "--dim", "16", "--epochs", "1", "--threads", "1",
            "--init", P("solo.ckpt"), "--lr", "0.01", "--out", P("cli-solo")];
        var (trained, output, errors) = MocoRun.Captured(args);
        Assert.That(trained, Is.Zero, errors);
        Assert.That(PretrainRun.ReadConfig(P("cli-solo")).StemPadding, Is.EqualTo(2));
        var (exported, _, exportErrors) = MocoRun.Captured("export", "--checkpoint", Path.Combine(P("cli-solo"), PretrainRun.CheckpointFile), "--out", P("cli-solo.onnx"));
        Assert.That(exported, Is.Zero, exportErrors);
        Assert.That(MocoRun.Captured("info", Path.Combine(P("cli-solo"), PretrainRun.CheckpointFile)).Out, Does.Contain("resnet18 width 8, small-image stem padded by 2, 1 channel(s)"));
    }
}
