using MoCo.Training.Import;
using MoCo.Training.Models;

namespace MoCo.Training.Tests.Import;

/// <summary>
/// Each layout, written by PyTorch 1.13 with random weights (ResNet-18, width 8, small-image stem, 1 channel) in both
/// torch.save containers: the import recognises the layout and the network, and its tensors equal the ones PyTorch
/// wrote beside the file (reference: the same module's state_dict, saved as safetensors), bit for bit.
/// </summary>
[NonParallelizable]
public class EncoderImporterTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteCheckpoints()
    {
        dir = Directory.CreateTempSubdirectory("moco-import-").FullName;
        TorchFiles.Write(dir, """
            for fmt, legacy in (("zip", False), ("legacy", True)):
                a = ("resnet18", 8, True, 1)
                tc.moco(f"moco-mlp.{fmt}.pth.tar", f"moco-mlp.{fmt}.expected", *a, head="mlp", legacy=legacy)
                tc.moco(f"moco-linear.{fmt}.pth.tar", f"moco-linear.{fmt}.expected", *a, head="linear", legacy=legacy)
                tc.moco_v3(f"moco-v3.{fmt}.pth.tar", f"moco-v3.{fmt}.expected", *a, legacy=legacy)
                tc.torchvision_resnet(f"torchvision.{fmt}.pth", f"torchvision.{fmt}.expected", *a, legacy=legacy)
                tc.lightly(f"lightly.{fmt}.ckpt", f"lightly.{fmt}.expected", *a, legacy=legacy)
                tc.lightly(f"lightly-model.{fmt}.ckpt", f"lightly-model.{fmt}.expected", *a, legacy=legacy, prefix="model.backbone.")
                tc.solo_learn(f"solo-learn.{fmt}.ckpt", f"solo-learn.{fmt}.expected", *a, legacy=legacy)
                tc.solo_learn(f"solo-learn-old.{fmt}.ckpt", f"solo-learn-old.{fmt}.expected", *a, legacy=legacy, old=True)
            h = tc.resnet("resnet18", 8, True, 1)
            half = {k: v.half() if v.is_floating_point() else v for k, v in h.state_dict().items() if not k.endswith("num_batches_tracked")}
            torch.save(half, "half-no-counters.pth")
            exp = {"encoder_q." + k: v.float() for k, v in half.items() if not k.startswith("fc.")}
            exp.update({"encoder_q." + k: torch.zeros((), dtype=torch.long) for k in h.state_dict() if k.endswith("num_batches_tracked")})
            tc.expected("half-no-counters.expected", exp)
            m = tc.resnet("resnet34", 4, False, 3)
            st_save("torchvision34.safetensors", m.state_dict())
            tc.expected("torchvision34.expected", {"encoder_q." + n: v for n, v in tc.backbone(m).items()})
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private static IEnumerable<TestCaseData> Layouts()
    {
        foreach (string fmt in (string[])["zip", "legacy"])
        {
            yield return new TestCaseData($"moco-mlp.{fmt}.pth.tar", CheckpointLayout.MoCo, ImportedHead.Mlp, true).SetName($"MoCo v2, MLP head, {fmt}");
            yield return new TestCaseData($"moco-linear.{fmt}.pth.tar", CheckpointLayout.MoCo, ImportedHead.Linear, true).SetName($"MoCo v1, linear head, {fmt}");
            yield return new TestCaseData($"moco-v3.{fmt}.pth.tar", CheckpointLayout.MoCoV3, ImportedHead.None, false).SetName($"MoCo v3 backbone, {fmt}");
            yield return new TestCaseData($"torchvision.{fmt}.pth", CheckpointLayout.Torchvision, ImportedHead.None, false).SetName($"torchvision, {fmt}");
            yield return new TestCaseData($"lightly.{fmt}.ckpt", CheckpointLayout.Lightly, ImportedHead.None, false).SetName($"lightly index names, {fmt}");
            yield return new TestCaseData($"lightly-model.{fmt}.ckpt", CheckpointLayout.Lightly, ImportedHead.None, false).SetName($"lightly under model.backbone, {fmt}");
            yield return new TestCaseData($"solo-learn.{fmt}.ckpt", CheckpointLayout.SoloLearn, ImportedHead.None, false).SetName($"solo-learn, {fmt}");
            yield return new TestCaseData($"solo-learn-old.{fmt}.ckpt", CheckpointLayout.SoloLearn, ImportedHead.None, false).SetName($"solo-learn before 1.0 (encoder.), {fmt}");
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Imports_the_layout_with_PyTorchs_values(string file, CheckpointLayout layout, ImportedHead head, bool moco)
    {
        string path = Path.Combine(dir, file);
        PyTorchFile read = PyTorchCheckpointReader.Read(path);
        Assert.That(read.Format, Is.EqualTo(file.Contains(".zip.", StringComparison.Ordinal) ? PyTorchFormat.Zip : PyTorchFormat.Legacy));
        using ImportResult result = EncoderImporter.Import(read);
        Assert.Multiple(() =>
        {
            Assert.That(result.Layout, Is.EqualTo(layout));
            Assert.That(result.Encoder.Arch, Is.EqualTo(ResNetArch.ResNet18));
            Assert.That(result.Encoder.Width, Is.EqualTo(8));
            Assert.That(result.Encoder.SmallImages, Is.True);
            Assert.That(result.Encoder.InChannels, Is.EqualTo(1));
            Assert.That(result.Encoder.StemPadding, Is.EqualTo(layout == CheckpointLayout.SoloLearn ? 2 : (int?)null), "solo-learn's CIFAR stem pads by 2");
            Assert.That(result.Head, Is.EqualTo(head));
            Assert.That(result.HasKeyEncoder, Is.EqualTo(moco));
            Assert.That(result.HasQueue, Is.EqualTo(moco));
            Assert.That(result.QueueSize, Is.EqualTo(moco ? 64 : (int?)null));
        });
        if (moco) Assert.That(result.Encoder.NumClasses, Is.EqualTo(16), "the head's output dimension");
        TorchFiles.AssertSameState(result.State, Path.Combine(dir, Path.ChangeExtension(file, null).Replace(".pth", "", StringComparison.Ordinal) + ".expected"));
    }

    [Test]
    public void Official_MoCo_files_keep_nothing_out_and_their_optimizer_is_not_a_key()
    {
        using ImportResult result = EncoderImporter.Import(PyTorchCheckpointReader.Read(Path.Combine(dir, "moco-mlp.legacy.pth.tar")));
        Assert.That(result.IgnoredKeys, Is.Empty);
        Assert.That(result.IgnoredObjects, Is.Empty);
    }

    [Test]
    public void MoCo_v3_says_only_the_backbone_came_and_lists_the_rest()
    {
        using ImportResult result = EncoderImporter.Import(PyTorchCheckpointReader.Read(Path.Combine(dir, "moco-v3.zip.pth.tar")));
        Assert.That(result.Notes, Has.Some.Contains("v3 training itself is not supported"));
        Assert.That(result.IgnoredKeys, Has.Some.StartsWith("module.base_encoder.fc.0.weight [32, 64]: MoCo v3's projection MLP"));
        Assert.That(result.IgnoredKeys, Has.Some.StartsWith("module.momentum_encoder.conv1.weight [8, 1, 3, 3]"));
        Assert.That(result.IgnoredKeys, Has.Some.StartsWith("module.predictor.0.weight"));
    }

    [Test]
    public void Lightning_hyper_parameters_stay_inert_and_are_listed()
    {
        PyTorchFile lightly = PyTorchCheckpointReader.Read(Path.Combine(dir, "lightly.zip.ckpt"));
        Assert.That(lightly.IgnoredObjects, Is.EqualTo(new[] { new IgnoredObject("hyper_parameters", "torch_checkpoints.AttributeDict") }));
        PyTorchFile solo = PyTorchCheckpointReader.Read(Path.Combine(dir, "solo-learn.legacy.ckpt"));
        Assert.That(solo.IgnoredObjects, Is.EqualTo(new[] { new IgnoredObject("hyper_parameters.cfg", "argparse.Namespace") }));
        using ImportResult result = EncoderImporter.Import(solo);
        Assert.That(result.IgnoredObjects, Is.EqualTo(solo.IgnoredObjects));
        Assert.That(result.IgnoredKeys, Has.Some.StartsWith("momentum_backbone.conv1.weight [8, 1, 3, 3]: the momentum backbone"));
        Assert.That(result.IgnoredKeys, Has.Some.StartsWith("classifier.weight [10, 64]"));
        Assert.That(result.Notes, Has.Some.Contains("solo-learn's CIFAR stem: its 3×3 conv1 pads by 2 pixels"));
    }

    [Test]
    public void A_safetensors_state_dict_imports_with_the_ImageNet_stem()
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Path.Combine(dir, "torchvision34.safetensors"));
        Assert.That(read.Format, Is.EqualTo(PyTorchFormat.SafeTensors));
        using ImportResult result = EncoderImporter.Import(read);
        Assert.That(result.Layout, Is.EqualTo(CheckpointLayout.Torchvision));
        Assert.That(result.Encoder, Is.EqualTo(new ResNetOptions { Arch = ResNetArch.ResNet34, Width = 4, SmallImages = false, InChannels = 3 }));
        TorchFiles.AssertSameState(result.State, Path.Combine(dir, "torchvision34.expected"));
    }

    [Test]
    public void Half_precision_weights_become_float32_and_missing_counters_start_at_0()
    {
        using ImportResult result = EncoderImporter.Import(PyTorchCheckpointReader.Read(Path.Combine(dir, "half-no-counters.pth")));
        Assert.That(result.Notes, Has.Some.EqualTo("20 BatchNorm num_batches_tracked counters were missing and start at 0"));
        Assert.That(result.Notes, Has.Some.EqualTo("tensors of Float16 were converted to the model's element types"));
        TorchFiles.AssertSameState(result.State, Path.Combine(dir, "half-no-counters.expected"));
    }

    [Test]
    public void The_imported_state_loads_into_our_encoder()
    {
        using ImportResult result = EncoderImporter.Import(PyTorchCheckpointReader.Read(Path.Combine(dir, "moco-mlp.zip.pth.tar")));
        using var net = MoCo.Training.Method.ContrastiveModel.BuildEncoder(result.Encoder, mlp: result.Head == ImportedHead.Mlp);
        var own = result.State.Where(kv => kv.Key.StartsWith("encoder_q.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["encoder_q.".Length..], kv => kv.Value);
        net.LoadState(own);
        Assert.That(net.StateEntries().Select(e => e.name), Is.EquivalentTo(own.Keys));
    }

    [Test]
    public void A_given_arch_that_does_not_fit_lists_every_difference_in_one_message()
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Path.Combine(dir, "torchvision.zip.pth"));
        var e = Assert.Throws<InvalidDataException>(() => EncoderImporter.Import(read, new ImportOptions { Arch = ResNetArch.ResNet34, Width = 16 }))!;
        Assert.That(e.Message, Does.StartWith(read.Path + ": the torchvision checkpoint's tensors do not fit resnet34 (width 16, small-image 3×3 stem, 1 input channel)"));
        Assert.That(e.Message, Does.Contain("conv1.weight is [8, 1, 3, 3], encoder_q.conv1.weight needs [16, 1, 3, 3]"));
        Assert.That(e.Message, Does.Contain("missing encoder_q.layer1.2.conv1.weight [16, 16, 3, 3]"));
    }

    [Test]
    public void An_unknown_layout_lists_the_keys_and_shapes()
    {
        PyTorchFile read = PyTorchCheckpointReader.Read(Path.Combine(dir, "torchvision.legacy.pth"));
        var e = Assert.Throws<InvalidDataException>(() => EncoderImporter.Import(read, new ImportOptions { Layout = CheckpointLayout.SoloLearn }))!;
        Assert.That(e.Message, Does.Contain("no backbone tensors where the solo-learn layout keeps them; the file's tensors: conv1.weight [8, 1, 3, 3], bn1.weight [8]"));
    }

    [Test]
    public void A_given_layout_parses_by_its_command_line_name()
    {
        foreach (CheckpointLayout l in Enum.GetValues<CheckpointLayout>())
            Assert.That(CheckpointLayoutNames.Parse(CheckpointLayoutNames.Format(l).ToUpperInvariant()), Is.EqualTo(l));
        Assert.That(() => CheckpointLayoutNames.Parse("vissl"), Throws.ArgumentException.With.Message.Contains("moco-v3"));
    }
}
