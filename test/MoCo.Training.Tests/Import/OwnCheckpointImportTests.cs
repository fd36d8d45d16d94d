using MoCo.Training.Import;
using MoCo.Training.Models;

namespace MoCo.Training.Tests.Import;

/// <summary>Our own training checkpoints use the official MoCo names, so they import as the moco layout; the optimiser's
/// buffers and the generator state are listed as left out. Reference: the checkpoint's own tensors.</summary>
public class OwnCheckpointImportTests
{
    [Test]
    public void A_checkpoint_of_ours_imports_as_official_MoCo()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pre-port", "last.ckpt");
        using var contents = MoCo.Training.Serialization.SafeTensors.Load(path);
        using ImportResult result = EncoderImporter.Import(PyTorchCheckpointReader.Read(path));
        Assert.That(result.Layout, Is.EqualTo(CheckpointLayout.MoCo));
        Assert.That(result.Encoder, Is.EqualTo(new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 4, SmallImages = true, InChannels = 1, NumClasses = 16 }));
        Assert.That((result.Head, result.HasKeyEncoder, result.QueueSize), Is.EqualTo((ImportedHead.Mlp, true, (int?)32)));
        Assert.That(result.IgnoredKeys.Where(k => !k.StartsWith("optimizer.", StringComparison.Ordinal) && !k.StartsWith("rng.", StringComparison.Ordinal)), Is.Empty);
        Assert.That(result.State.Keys.Concat(result.IgnoredKeys.Select(k => k[..k.IndexOf(' ', StringComparison.Ordinal)])), Is.EquivalentTo(contents.Names));
        foreach (var (name, tensor) in result.State)
            Assert.That(TorchFiles.Bytes(tensor).AsSpan().SequenceEqual(TorchFiles.Bytes(contents.Tensors[name])), Is.True, name);
    }
}
