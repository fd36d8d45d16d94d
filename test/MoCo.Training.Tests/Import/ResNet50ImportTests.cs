using MoCo.Training.Export;
using MoCo.Training.Import;
using MoCo.Training.Models;
using MoCo.Training.Serialization;

namespace MoCo.Training.Tests.Import;

/// <summary>
/// ResNet-50 (bottleneck blocks) in every layout and both torch.save containers: import → our checkpoint → ONNX export,
/// whose features (and the head's output, where the file has MoCo's head) equal PyTorch's eval-mode forward of the same
/// state dict to 1e-4 of their largest magnitude (<see cref="TorchFiles.AssertSameOutputs"/>), and whose tensors equal
/// the ones PyTorch wrote beside the file, bit for bit. Reference: files written by Debian's PyTorch 1.13 with random
/// weights (Reference/torch_checkpoints.py, torchvision's own ResNet and Bottleneck classes; ImageNet 7×7 stem, RGB).
/// <para>
/// The per-layout cases use a ResNet-50 of base width 16 at 64 px, a sixteenth of the full network's weights and about
/// a two-hundredth of its forward's work. For the mapping they are equivalent: every key name
/// (layer3.5.conv3.weight, layer1.0.downsample.1.running_var, …), the block counts [3, 4, 6, 3], the bottleneck's
/// expansion of 4, its stride on conv2 and the downsample on each layer's first block are the same at any width, which
/// only scales every channel count by one factor; the input size only changes spatial sizes, which no tensor holds (64
/// px still leaves layer4 a 2×2 map to pool). A wrong name, a block out of place or a swapped BatchNorm statistic fails
/// at width 16 as it would at 64. The official MoCo v2 layout also runs at full width at 224 px, in both containers: the
/// released files' shapes (2048-d features, a 128-d MLP head) and a ~220 MB pickle through each reader.
/// </para>
/// </summary>
[NonParallelizable]
public class ResNet50ImportTests
{
    private const int ReducedWidth = 16, ReducedSize = 64, FullWidth = 64, FullSize = 224;
    private string dir = "";

    [OneTimeSetUp]
    public void WriteCheckpoints()
    {
        dir = Directory.CreateTempSubdirectory("moco-import50-").FullName;
        TorchFiles.Write(dir, $$"""
            a = ("resnet50", {{ReducedWidth}}, False, 3)
            full = ("resnet50", {{FullWidth}}, False, 3)
            for fmt, legacy in (("zip", False), ("legacy", True)):
                tc.moco(f"moco-mlp.{fmt}.pt", f"moco-mlp.{fmt}.expected", *a, head="mlp", legacy=legacy, scaled=True)
                tc.features(f"moco-mlp.{fmt}.expected", f"moco-mlp.{fmt}.features", *a, {{ReducedSize}}, head="mlp")
                tc.moco(f"moco-linear.{fmt}.pt", f"moco-linear.{fmt}.expected", *a, head="linear", legacy=legacy, scaled=True)
                tc.features(f"moco-linear.{fmt}.expected", f"moco-linear.{fmt}.features", *a, {{ReducedSize}}, head="linear")
                tc.moco_v3(f"moco-v3.{fmt}.pt", f"moco-v3.{fmt}.expected", *a, legacy=legacy, scaled=True)
                tc.torchvision_resnet(f"torchvision.{fmt}.pt", f"torchvision.{fmt}.expected", *a, legacy=legacy, scaled=True)
                tc.lightly(f"lightly-index.{fmt}.pt", f"lightly-index.{fmt}.expected", *a, legacy=legacy, scaled=True)
                tc.lightly(f"lightly-torchvision.{fmt}.pt", f"lightly-torchvision.{fmt}.expected", *a, legacy=legacy, names="torchvision", scaled=True)
                tc.solo_learn(f"solo-learn.{fmt}.pt", f"solo-learn.{fmt}.expected", *a, legacy=legacy, scaled=True)
                for name in ("moco-v3", "torchvision", "lightly-index", "lightly-torchvision", "solo-learn"):
                    tc.features(f"{name}.{fmt}.expected", f"{name}.{fmt}.features", *a, {{ReducedSize}})
                tc.moco(f"moco-v2-full.{fmt}.pt", f"moco-v2-full.{fmt}.expected", *full, head="mlp", legacy=legacy, dim=128, k=256, scaled=True)
                tc.features(f"moco-v2-full.{fmt}.expected", f"moco-v2-full.{fmt}.features", *full, {{FullSize}}, head="mlp", dim=128, n=2)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static IEnumerable<TestCaseData> Layouts()
    {
        foreach (string fmt in (string[])["zip", "legacy"])
        {
            TestCaseData Reduced(string name, CheckpointLayout layout, ImportedHead head, string what) =>
                new TestCaseData(name, fmt, layout, head, ReducedWidth, ReducedSize).SetName($"{what}, width {ReducedWidth} at {ReducedSize} px, {fmt}");
            yield return Reduced("moco-mlp", CheckpointLayout.MoCo, ImportedHead.Mlp, "MoCo v2 (MLP head)");
            yield return Reduced("moco-linear", CheckpointLayout.MoCo, ImportedHead.Linear, "MoCo v1 (linear head)");
            yield return Reduced("moco-v3", CheckpointLayout.MoCoV3, ImportedHead.None, "MoCo v3 backbone");
            yield return Reduced("torchvision", CheckpointLayout.Torchvision, ImportedHead.None, "torchvision");
            yield return Reduced("lightly-index", CheckpointLayout.Lightly, ImportedHead.None, "lightly, index names backbone.0/.1/.4-.7");
            yield return Reduced("lightly-torchvision", CheckpointLayout.Lightly, ImportedHead.None, "lightly, torchvision names");
            yield return Reduced("solo-learn", CheckpointLayout.SoloLearn, ImportedHead.None, "solo-learn");
            yield return new TestCaseData("moco-v2-full", fmt, CheckpointLayout.MoCo, ImportedHead.Mlp, FullWidth, FullSize)
                .SetName($"official MoCo v2 (MLP head), full width at {FullSize} px, {fmt}");
        }
    }

    [TestCaseSource(nameof(Layouts))]
    public void Import_then_export_gives_PyTorchs_features_through_ONNX_Runtime(string name, string fmt, CheckpointLayout layout, ImportedHead head, int width, int size)
    {
        bool moco = layout == CheckpointLayout.MoCo, full = width == FullWidth;
        string ckpt = P($"{name}.{fmt}.imported.ckpt"), onnx = P($"{name}.{fmt}.onnx"), headOnnx = P($"{name}.{fmt}.head.onnx");
        try
        {
            PyTorchFile file = PyTorchCheckpointReader.Read(P($"{name}.{fmt}.pt"));
            Assert.That(file.Format, Is.EqualTo(fmt == "zip" ? PyTorchFormat.Zip : PyTorchFormat.Legacy));
            using (ImportResult import = EncoderImporter.Import(file))
            {
                Assert.Multiple(() =>
                {
                    Assert.That(import.Layout, Is.EqualTo(layout));
                    Assert.That(import.Encoder with { NumClasses = 0 }, Is.EqualTo(new ResNetOptions
                    {
                        Arch = ResNetArch.ResNet50, Width = width, SmallImages = false, InChannels = 3, NumClasses = 0,
                    }), "recognised from the shapes: bottleneck blocks [3, 4, 6, 3], conv1's 7×7 kernel and channels");
                    Assert.That(import.Head, Is.EqualTo(head));
                    Assert.That((import.HasKeyEncoder, import.HasQueue, import.QueueSize), Is.EqualTo((moco, moco, moco ? (full ? 256 : 64) : (int?)null)));
                    if (moco) Assert.That(import.Encoder.NumClasses, Is.EqualTo(full ? 128 : 16), "the head's output dimension");
                    if (layout == CheckpointLayout.Torchvision)
                        Assert.That(import.IgnoredKeys, Is.EqualTo(new[]
                        {
                            $"fc.weight [10, {width * 32}]: torchvision's supervised classifier, not a MoCo head",
                            "fc.bias [10]: torchvision's supervised classifier, not a MoCo head",
                        }));
                });
                TorchFiles.AssertSameState(import.State, P($"{name}.{fmt}.expected"));
                ImportedCheckpoint.Write(ckpt, import, new ImportPreprocessing { InputSize = size }, file.Path, file.Format);
            }
            using var reference = SafeTensors.Load(P($"{name}.{fmt}.features"));
            CheckpointExport.Export(ckpt, onnx);
            TorchFiles.AssertSameOutputs(onnx, reference, "features");
            if (head != ImportedHead.None)
            {
                CheckpointExport.Export(ckpt, headOnnx, o => o with { WithHead = true });
                TorchFiles.AssertSameOutputs(headOnnx, reference, "head");
            }
        }
        finally
        {
            // The full-width files are ~100-200 MB each: gone as soon as the case is done.
            foreach (string written in (string[])[ckpt, onnx, headOnnx]) File.Delete(written);
        }
    }
}
