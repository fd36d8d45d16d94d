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
        var (code, _, err) = ImportCommandTests.Moco("import", P("moco-mlp.legacy.pth.tar"), "--out", P("moco.ckpt"));
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

        var (trained, output, errors) = ImportCommandTests.Moco("pretrain", "--data", $"idx:{dir}:train", "--batch", "16", "--queue", "64", "--dim", "16",
            "--epochs", "1", "--threads", "1", "--init", P("moco.ckpt"), "--init-queue", "--lr", "0.01", "--out", P("cli-moco"));
        Assert.That(trained, Is.Zero, errors);
        Assert.That(output, Does.Contain("resnet18 width 8").And.Contain("key encoder from its encoder_k").And.Contain("head: the file's").And.Contain("queue: the file's"));
    }

    [Test]
    public void An_imported_torchvision_backbone_gives_both_encoders_its_weights_and_a_new_head()
    {
        var (code, _, err) = ImportCommandTests.Moco("import", P("torchvision.zip.pth"), "--out", P("tv.ckpt"));
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
        var (refused, _, errors) = ImportCommandTests.Moco("pretrain", "--data", $"idx:{dir}:train", "--batch", "16", "--queue", "64", "--epochs", "1",
            "--init", P("tv.ckpt"), "--init-queue", "--out", P("cli-tv"));
        Assert.That(refused, Is.EqualTo(1));
        Assert.That(errors, Does.Contain($"--init-queue: {P("tv.ckpt")} has no queue"));
    }
}
