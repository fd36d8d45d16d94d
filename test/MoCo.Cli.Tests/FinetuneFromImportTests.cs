using MoCo.Cli.Tests.Support;
using MoCo.Training.FineTuning;
using MoCo.Training.Serialization;
using MoCo.Training.Tests.Import;

namespace MoCo.Cli.Tests;

// PyTorch file → `moco import` → `moco finetune --init`: fine-tuning starts from the backbone PyTorch wrote (Debian's
// python3-torch writes a torchvision state dict, zip format, and an official MoCo v2 checkpoint, legacy format).
[NonParallelizable]
public class FinetuneFromImportTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteFiles()
    {
        dir = TinyIdxData.Create("moco-ft-import-", seed: 2, count: 32, side: 16);
        TorchFiles.Write(dir, """
            a = ("resnet18", 8, True, 1)
            tc.moco("moco-mlp.legacy.pth.tar", "moco-mlp.expected", *a, head="mlp", legacy=True)
            tc.torchvision_resnet("torchvision.zip.pth", "torchvision.expected", *a, legacy=False)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    [TestCase("torchvision.zip.pth", "torchvision.expected")]
    [TestCase("moco-mlp.legacy.pth.tar", "moco-mlp.expected")]
    public void An_imported_checkpoint_is_the_backbone_fine_tuning_starts_from(string file, string expectedFile)
    {
        string imported = P(Path.GetFileNameWithoutExtension(file) + ".ckpt");
        var (code, _, err) = MocoRun.Captured("import", P(file), "--out", imported);
        Assert.That(code, Is.Zero, err);
        string run = P("ft-" + Path.GetFileName(imported));
        var result = MocoRun.Captured(["finetune", "--init", imported, "--train", $"idx:{dir}:train", "--test", $"idx:{dir}:test", "--labels-per-class", "4",
            "--epochs", "1", "--batch", "8", "--threads", "1", "--out", run]);
        Assert.That(result.Code, Is.Zero, result.Error);
        Assert.That(result.Out, Does.Contain($"resnet18 width 8 from {imported}"));
        var config = FineTuneRun.ReadConfig(run);
        // Before training: the network's backbone is the file's query encoder, tensor for tensor (its head is not taken).
        using var model = FineTuneModel.Create(config);
        using var expected = SafeTensors.Load(P(expectedFile));
        var state = model.Network.state_dict();
        int compared = 0;
        foreach (var (name, t) in expected.Tensors.Where(kv => kv.Key.StartsWith("encoder_q.", StringComparison.Ordinal) && !kv.Key.StartsWith("encoder_q.fc", StringComparison.Ordinal)))
        {
            Assert.That(Same(state[name["encoder_q.".Length..]], t), Is.True, name);
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(50), "every backbone tensor of a ResNet-18 was compared");
        Assert.That(state["fc.weight"].shape, Is.EqualTo(new long[] { 4, 64 }), "a new classifier of the data's 4 classes on the 64 features");
    }
}
