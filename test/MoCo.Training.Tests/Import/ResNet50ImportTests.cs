using MoCo.Training.Import;
using MoCo.Training.Models;

namespace MoCo.Training.Tests.Import;

/// <summary>Full-size ResNet-50 at 224 px (ImageNet stem, width 64, RGB), as the released files are: an official MoCo v2
/// checkpoint in the legacy container (the MoCo authors' files predate the zip one) and a torchvision state dict in the
/// zip container. Reference: the values PyTorch 1.13 wrote beside them.</summary>
[NonParallelizable]
public class ResNet50ImportTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteCheckpoints()
    {
        dir = Directory.CreateTempSubdirectory("moco-import50-").FullName;
        TorchFiles.Write(dir, """
            tc.moco("moco-v2.pth.tar", "moco-v2.expected", "resnet50", 64, False, 3, head="mlp", legacy=True, dim=128, k=4096)
            tc.torchvision_resnet("torchvision.pth", "torchvision.expected", "resnet50", 64, False, 3, legacy=False)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    [Test]
    public void Official_MoCo_v2_ResNet50_in_the_legacy_container()
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Path.Combine(dir, "moco-v2.pth.tar"));
        Assert.That(read.Format, Is.EqualTo(PyTorchFormat.Legacy));
        Assert.That(read.TopLevelKeys, Is.EqualTo(new[] { "epoch", "arch", "state_dict", "optimizer" }));
        using ImportResult result = EncoderImporter.Import(read);
        Assert.That(result.Layout, Is.EqualTo(CheckpointLayout.MoCo));
        Assert.That(result.Encoder, Is.EqualTo(new ResNetOptions { Arch = ResNetArch.ResNet50, Width = 64, SmallImages = false, InChannels = 3, NumClasses = 128 }));
        Assert.That(result.Head, Is.EqualTo(ImportedHead.Mlp));
        Assert.That(result.QueueSize, Is.EqualTo(4096));
        TorchFiles.AssertSameState(result.State, Path.Combine(dir, "moco-v2.expected"));
    }

    [Test]
    public void Torchvision_ResNet50_in_the_zip_container_leaves_its_classifier_out()
    {
        using ImportResult result = EncoderImporter.Import(PyTorchCheckpointReader.Read(Path.Combine(dir, "torchvision.pth")));
        Assert.That(result.Layout, Is.EqualTo(CheckpointLayout.Torchvision));
        Assert.That(result.Encoder.Arch, Is.EqualTo(ResNetArch.ResNet50));
        Assert.That(result.Head, Is.EqualTo(ImportedHead.None));
        Assert.That(result.IgnoredKeys, Is.EqualTo(new[]
        {
            "fc.weight [1000, 2048]: torchvision's supervised classifier, not a MoCo head",
            "fc.bias [1000]: torchvision's supervised classifier, not a MoCo head",
        }));
        TorchFiles.AssertSameState(result.State, Path.Combine(dir, "torchvision.expected"));
    }
}
