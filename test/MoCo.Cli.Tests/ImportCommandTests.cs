using MoCo.Onnx;
using MoCo.Training.Serialization;
using MoCo.Cli.Tests.Support;
using MoCo.Training.Tests.Import;

namespace MoCo.Cli.Tests;

/// <summary>
/// `moco import` → `moco export` → ONNX Runtime, against PyTorch: for each layout, a file written by Debian's PyTorch
/// 1.13 with random weights (Reference/torch_checkpoints.py; ResNet-18, width 8, small-image stem, 1 channel, zip and
/// legacy; and a MoCo v2 ResNet-50 of width 16 at 224, for the commands' ImageNet defaults: every layout's ResNet-50 and
/// the full-width one are Training.Tests' ResNet50ImportTests), imported and exported by the commands, gives the features
/// (and the head's output, where the file has MoCo's head) that PyTorch's forward of the same state dict gives in eval
/// mode, to 1e-4 of their largest magnitude. Hostile, truncated and foreign files: refused or one error, nothing written.
/// </summary>
[NonParallelizable]
public class ImportCommandTests
{
    private string dir = "";
    private string sentinel = "";

    [OneTimeSetUp]
    public void WriteFiles()
    {
        dir = Directory.CreateTempSubdirectory("moco-import-cli-").FullName;
        sentinel = Path.Combine(dir, "sentinel");
        TorchFiles.Write(dir, $$"""
            a = ("resnet18", 8, True, 1)
            for fmt, legacy in (("zip", False), ("legacy", True)):
                tc.moco(f"moco-mlp.{fmt}.pth.tar", f"moco-mlp.{fmt}.expected", *a, head="mlp", legacy=legacy)
                tc.features(f"moco-mlp.{fmt}.expected", f"moco-mlp.{fmt}.features", *a, 32, head="mlp")
                tc.moco(f"moco-linear.{fmt}.pth.tar", f"moco-linear.{fmt}.expected", *a, head="linear", legacy=legacy)
                tc.features(f"moco-linear.{fmt}.expected", f"moco-linear.{fmt}.features", *a, 32, head="linear")
                tc.moco_v3(f"moco-v3.{fmt}.pth.tar", f"moco-v3.{fmt}.expected", *a, legacy=legacy)
                tc.torchvision_resnet(f"torchvision.{fmt}.pth", f"torchvision.{fmt}.expected", *a, legacy=legacy)
                tc.lightly(f"lightly.{fmt}.ckpt", f"lightly.{fmt}.expected", *a, legacy=legacy)
                tc.solo_learn(f"solo-learn.{fmt}.ckpt", f"solo-learn.{fmt}.expected", *a, legacy=legacy)
                for name in ("moco-v3", "torchvision", "lightly"):
                    tc.features(f"{name}.{fmt}.expected", f"{name}.{fmt}.features", *a, 32)
                tc.features(f"solo-learn.{fmt}.expected", f"solo-learn.{fmt}.features", *a, 32, stem_padding=2)
                for kind in ("os", "eval", "subprocess"):
                    for where in ("whole", "state_dict"):
                        tc.hostile(f"{kind}.{where}.{fmt}.pt", {{TorchFiles.Quote(sentinel)}}, kind, where, legacy)
            # What --stem-padding must give: the same state dicts' forward with conv1 padded otherwise.
            tc.features("torchvision.zip.expected", "torchvision.padded2.features", *a, 32, stem_padding=2)
            tc.features("solo-learn.zip.expected", "solo-learn.padded1.features", *a, 32)
            tc.moco("moco50.legacy.pth.tar", "moco50.expected", "resnet50", 16, False, 3, head="mlp", legacy=True, dim=128, k=256, scaled=True)
            tc.features("moco50.expected", "moco50.features", "resnet50", 16, False, 3, 224, head="mlp", dim=128, n=2)
            m = tc.resnet("resnet18", 8, True, 1)
            st_save("torchvision.safetensors", m.state_dict())
            torch.save({"alpha.weight": torch.randn(2, 2), "beta": torch.randn(3)}, "unknown-layout.pt")
            """);
        File.WriteAllText(Path.Combine(dir, "text.pth"), "this is not a checkpoint\n");
        foreach (string fmt in (string[])["zip", "legacy"])
        {
            byte[] whole = File.ReadAllBytes(Path.Combine(dir, $"moco-mlp.{fmt}.pth.tar"));
            File.WriteAllBytes(Path.Combine(dir, $"truncated.{fmt}.pth.tar"), whole[..(whole.Length / 2)]);
        }
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static IEnumerable<TestCaseData> Layouts()
    {
        foreach (string fmt in (string[])["zip", "legacy"])
        {
            yield return new TestCaseData($"moco-mlp.{fmt}.pth.tar", "moco", "MLP head 16-d", true).SetName($"MoCo v2 (MLP head), {fmt}");
            yield return new TestCaseData($"moco-linear.{fmt}.pth.tar", "moco", "linear head 16-d", true).SetName($"MoCo v1 (linear head), {fmt}");
            yield return new TestCaseData($"moco-v3.{fmt}.pth.tar", "moco-v3", "no head", false).SetName($"MoCo v3 backbone, {fmt}");
            yield return new TestCaseData($"torchvision.{fmt}.pth", "torchvision", "no head", false).SetName($"torchvision, {fmt}");
            yield return new TestCaseData($"lightly.{fmt}.ckpt", "lightly", "no head", false).SetName($"lightly, {fmt}");
            yield return new TestCaseData($"solo-learn.{fmt}.ckpt", "solo-learn", "no head", false).SetName($"solo-learn (CIFAR stem padded by 2), {fmt}");
        }
    }

    private string Features(string file) => P(file.Replace(".pth.tar", "", StringComparison.Ordinal).Replace(".pth", "", StringComparison.Ordinal)
        .Replace(".ckpt", "", StringComparison.Ordinal) + ".features");

    [TestCaseSource(nameof(Layouts))]
    public void Import_then_export_gives_PyTorchs_features_through_ONNX_Runtime(string file, string layout, string head, bool moco)
    {
        string ckpt = P(file + ".imported.ckpt"), onnx = P(file + ".onnx");
        var (code, output, errors) = MocoRun.Captured("import", P(file), "--out", ckpt);
        Assert.That(code, Is.EqualTo(0), errors);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain($"  layout: {layout}\n"));
            string stem = layout == "solo-learn" ? "small-image 3×3 stem padded by 2" : "small-image 3×3 stem";
            Assert.That(output, Does.Contain($"  network: resnet18 (width 8, {stem}, 1 input channel), {head}\n"));
            Assert.That(output, Does.Contain(moco ? "  key encoder: in the file" : "  key encoder: none in the file (the import copies the query encoder's)"));
            Assert.That(output, Does.Contain(moco ? "  queue: in the file, K 64" : "  queue: none in the file"));
            Assert.That(output, Does.Contain("  preprocessing: resize 32, crop 32, channels 1, mean [0.449], std [0.226]"));
            Assert.That(output, Does.Contain("wrote " + ckpt));
        });
        using (var written = SafeTensors.Load(ckpt))
        {
            Assert.That(written.Names.Count(n => n.StartsWith("encoder_k.", StringComparison.Ordinal)),
                Is.EqualTo(written.Names.Count(n => n.StartsWith("encoder_q.", StringComparison.Ordinal))), "a key encoder, the file's or the query's");
            Assert.That(written.Tensors.ContainsKey("queue"), Is.EqualTo(moco), "the queue only when the file has one");
        }
        Assert.That(MocoRun.Captured("export", "--checkpoint", ckpt, "--out", onnx).Code, Is.EqualTo(0));
        using var reference = SafeTensors.Load(Features(file));
        TorchFiles.AssertSameOutputs(onnx, reference, "features");
        using (var session = OnnxSession.Open(onnx))
        {
            var m = session.Metadata.Custom;
            Assert.That((m["moco.resize"], m["moco.input_size"], m["moco.input_channels"], m["moco.mean"], m["moco.std"]),
                Is.EqualTo(("32", "32", "1", "0.449", "0.226")));
        }
        if (head == "no head")
        {
            var (refused, _, message) = MocoRun.Captured("export", "--checkpoint", ckpt, "--out", P(file + ".head.onnx"), "--with-head");
            Assert.That((refused, message), Is.EqualTo((1, $"error: {ckpt} has no projection head (an encoder imported without one): export it without --with-head\n")));
            Assert.That(File.Exists(P(file + ".head.onnx")), Is.False);
        }
        else
        {
            Assert.That(MocoRun.Captured("export", "--checkpoint", ckpt, "--out", P(file + ".head.onnx"), "--with-head").Code, Is.EqualTo(0));
            TorchFiles.AssertSameOutputs(P(file + ".head.onnx"), reference, "head");
        }
    }

    [Test]
    public void A_MoCo_v2_ResNet_50_imports_with_ImageNet_preprocessing_and_gives_PyTorchs_features_at_224()
    {
        string ckpt = P("moco50.ckpt"), onnx = P("moco50.onnx");
        var (code, output, errors) = MocoRun.Captured("import", P("moco50.legacy.pth.tar"), "--out", ckpt);
        Assert.That(code, Is.EqualTo(0), errors);
        Assert.That(output, Does.Contain("  network: resnet50 (width 16, ImageNet 7×7 stem, 3 input channels), MLP head 128-d\n"));
        Assert.That(output, Does.Contain("  preprocessing: resize 256, crop 224, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"));
        Assert.That(MocoRun.Captured("export", "--checkpoint", ckpt, "--out", onnx, "--with-head").Code, Is.EqualTo(0));
        using var reference = SafeTensors.Load(P("moco50.features"));
        TorchFiles.AssertSameOutputs(onnx, reference, "head");
        using var session = OnnxSession.Open(onnx);
        var m = session.Metadata.Custom;
        Assert.That((m["moco.resize"], m["moco.input_size"], m["moco.input_channels"], m["moco.mean"], m["moco.std"], m["moco.arch"]),
            Is.EqualTo(("256", "224", "3", "0.485,0.456,0.406", "0.229,0.224,0.225", "resnet50")));
        var info = MocoRun.Captured("info", ckpt);
        Assert.That(info.Out, Does.Contain("MoCo imported checkpoint (format 1): preset v2, resnet50 width 16, 3 channel(s), input 224, queue 256"));
        Assert.That(info.Out, Does.Contain("  imported from moco50.legacy.pth.tar (legacy, layout moco, sha256 "));
        Assert.That(info.Out, Does.Contain("  preprocessing (moco export's default): resize 256, crop 224, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"));
    }

    [Test]
    public void Preprocessing_flags_are_recorded_in_the_checkpoint_and_the_exported_model()
    {
        string ckpt = P("flags.ckpt"), onnx = P("flags.onnx");
        var (code, output, errors) = MocoRun.Captured("import", P("lightly.zip.ckpt"), "--out", ckpt, "--input-size", "28", "--resize", "30", "--mean", "0.286", "--std", "0.353");
        Assert.That(code, Is.EqualTo(0), errors);
        const string Expected = "resize 30, crop 28, channels 1, mean [0.286], std [0.353]";
        Assert.That(output, Does.Contain("  preprocessing: " + Expected));
        Assert.That(MocoRun.Captured("info", ckpt).Out, Does.Contain("  preprocessing (moco export's default): " + Expected));
        Assert.That(MocoRun.Captured("export", "--checkpoint", ckpt, "--out", onnx).Code, Is.EqualTo(0));
        Assert.That(MocoRun.Captured("info", onnx).Out, Does.Contain("  preprocessing: " + Expected + "; input float NCHW"));
        // Another input size at export: the recorded resize was for 28, so the small-image rule (resize = crop) applies.
        Assert.That(MocoRun.Captured("export", "--checkpoint", ckpt, "--out", onnx, "--input-size", "32").Code, Is.EqualTo(0));
        Assert.That(MocoRun.Captured("info", onnx).Out, Does.Contain("  preprocessing: resize 32, crop 32, channels 1, mean [0.286], std [0.353]"));
    }

    [TestCase("--mean", "0.5,0.5,0.5", "the network takes 1 channel(s): give one mean and one std per channel, got 3 and 1")]
    [TestCase("--resize", "16", "ResizeShorterSide")]
    [TestCase("--arch", "resnet50", "do not fit resnet50")]
    [TestCase("--layout", "moco", "no backbone tensors where the moco layout keeps them")]
    [TestCase("--layout", "timm", "unknown layout 'timm'")]
    [TestCase("--stem-padding", "3", "the stem padding must lie in [0, 2] for the 3×3 stem, got 3")]
    public void A_flag_that_does_not_fit_the_file_is_one_error_and_nothing_is_written(string flag, string value, string message)
    {
        string ckpt = P("misfit/out.ckpt");
        var (code, _, errors) = MocoRun.Captured("import", P("lightly.zip.ckpt"), "--out", ckpt, flag, value);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(errors, Does.StartWith("error: ").And.Contain(message));
        Assert.That(errors.TrimEnd('\n'), Does.Not.Contain('\n'), "one line");
        Assert.That(Directory.Exists(P("misfit")), Is.False, "nothing written, not even the folder");
    }

    private static IEnumerable<TestCaseData> StemPaddings()
    {
        yield return new TestCaseData("torchvision.zip.pth", "2", "small-image 3×3 stem padded by 2", "torchvision.padded2.features", "torchvision.zip.features")
            .SetName("--stem-padding 2 pads a torchvision backbone's 3×3 stem as solo-learn's");
        yield return new TestCaseData("solo-learn.zip.ckpt", "1", "small-image 3×3 stem", "solo-learn.padded1.features", "solo-learn.zip.features")
            .SetName("--stem-padding 1 overrides the solo-learn layout's 2");
    }

    [TestCaseSource(nameof(StemPaddings))]
    public void A_stem_padding_given_is_the_networks_and_the_export_gives_PyTorchs_forward_with_it(string file, string padding, string stem, string features, string otherPadding)
    {
        string ckpt = P(file + ".padded.ckpt"), onnx = P(file + ".padded.onnx");
        var (code, output, errors) = MocoRun.Captured("import", P(file), "--out", ckpt, "--stem-padding", padding);
        Assert.That(code, Is.EqualTo(0), errors);
        Assert.That(output, Does.Contain($"  network: resnet18 (width 8, {stem}, 1 input channel), no head\n"));
        Assert.That(MocoRun.Captured("info", ckpt).Out, Does.Contain(padding == "2" ? "small-image stem padded by 2" : "resnet18 width 8, 1 channel(s)"), "the checkpoint's config");
        Assert.That(MocoRun.Captured("export", "--checkpoint", ckpt, "--out", onnx).Code, Is.EqualTo(0));
        using (var reference = SafeTensors.Load(P(features))) TorchFiles.AssertSameOutputs(onnx, reference, "features");
        // The reference tells the paddings apart: the file's own padding gives other features.
        using var other = SafeTensors.Load(P(otherPadding));
        var (error, scale) = TorchFiles.Difference(onnx, other, "features");
        Assert.That(error / scale, Is.GreaterThan(1e-2), "the padding the file alone would give is another forward");
    }

    private static IEnumerable<TestCaseData> Hostile()
    {
        foreach (string fmt in (string[])["zip", "legacy"])
        {
            foreach (string where in (string[])["whole", "state_dict"])
            {
                yield return new TestCaseData($"os.{where}.{fmt}.pt", "posix.system").SetName($"os.system, {where}, {fmt}");
                yield return new TestCaseData($"eval.{where}.{fmt}.pt", "builtins.eval").SetName($"builtins.eval, {where}, {fmt}");
                yield return new TestCaseData($"subprocess.{where}.{fmt}.pt", "subprocess.Popen").SetName($"subprocess.Popen, {where}, {fmt}");
            }
        }
    }

    [TestCaseSource(nameof(Hostile))]
    public void A_hostile_file_is_refused_with_the_global_named_and_nothing_runs_or_is_written(string file, string global)
    {
        string ckpt = P("hostile.ckpt");
        var (code, output, errors) = MocoRun.Captured("import", P(file), "--out", ckpt);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(MocoApp.RefusedExitCode));
            Assert.That(errors, Does.StartWith($"error: {P(file)}: refused: ").And.Contain(global).And.Contain("nothing was run"));
            Assert.That(output, Is.Empty);
            Assert.That(File.Exists(ckpt), Is.False, "nothing written at --out");
            Assert.That(File.Exists(sentinel), Is.False, "the command it carries never ran");
        });
        var info = MocoRun.Captured("info", P(file));
        Assert.That((info.Code, File.Exists(sentinel)), Is.EqualTo((MocoApp.RefusedExitCode, false)));
        Assert.That(info.Error, Does.Contain(global));
    }

    [TestCase("truncated.zip.pth.tar", "")]
    [TestCase("truncated.legacy.pth.tar", "truncated")]
    [TestCase("text.pth", "not a PyTorch checkpoint")]
    [TestCase("unknown-layout.pt", "alpha.weight [2, 2]")]
    public void A_truncated_foreign_or_unrecognised_file_is_one_clear_error_and_nothing_is_written(string file, string message)
    {
        string ckpt = P("broken.ckpt");
        var (code, _, errors) = MocoRun.Captured("import", P(file), "--out", ckpt);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(errors, Does.StartWith($"error: {P(file)}: ").And.Contain(message));
        Assert.That(errors.TrimEnd('\n'), Does.Not.Contain('\n'), "one line");
        Assert.That(File.Exists(ckpt), Is.False);
        Assert.That(Directory.GetFiles(dir, "broken.ckpt*"), Is.Empty, "no temporary file left either");
    }

    [TestCase("moco-mlp.zip.pth.tar", "zip (torch.save, PyTorch ≥ 1.6), 250 tensors", "epoch, arch, state_dict, optimizer", "moco", "MLP head 16-d")]
    [TestCase("moco-linear.legacy.pth.tar", "legacy (torch.save before PyTorch 1.6", "epoch, arch, state_dict, optimizer", "moco", "linear head 16-d")]
    [TestCase("lightly.legacy.ckpt", "legacy (torch.save before PyTorch 1.6", "epoch, global_step, pytorch-lightning_version, state_dict, hyper_parameters", "lightly", "no head")]
    [TestCase("torchvision.safetensors", "safetensors, 122 tensors", "conv1.weight, bn1.weight", "torchvision", "no head")]
    public void Info_describes_a_PyTorch_file_without_importing_it(string file, string format, string keys, string layout, string head)
    {
        var (code, output, errors) = MocoRun.Captured("info", P(file));
        Assert.That(code, Is.EqualTo(0), errors);
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.StartWith($"{P(file)}: PyTorch file, {format}"));
            Assert.That(output, Does.Contain("read without running anything"));
            Assert.That(output, Does.Contain("  top-level keys (").And.Contain(keys));
            Assert.That(output, Does.Contain($"  layout: {layout}\n"));
            Assert.That(output, Does.Contain($"  network: resnet18 (width 8, small-image 3×3 stem, 1 input channel), {head}\n"));
            Assert.That(output, Does.Contain($"  importable: moco import {P(file)} --out imported.ckpt"));
            Assert.That(output, Does.Not.Contain("MoCo training checkpoint").And.Not.Contain("MoCo imported checkpoint"));
        });
        if (layout == "lightly") Assert.That(output, Does.Contain("  ignored object: hyper_parameters (torch_checkpoints.AttributeDict, kept inert, not called)"));
        Assert.That(Directory.GetFiles(dir, "imported.ckpt"), Is.Empty, "info imports nothing");
    }

    [Test]
    public void Info_on_a_solo_learn_CIFAR_file_names_the_stems_padding_of_2()
    {
        var (code, output, errors) = MocoRun.Captured("info", P("solo-learn.zip.ckpt"));
        Assert.That(code, Is.EqualTo(0), errors);
        Assert.That(output, Does.Contain("  layout: solo-learn\n"));
        Assert.That(output, Does.Contain("  network: resnet18 (width 8, small-image 3×3 stem padded by 2, 1 input channel), no head\n"));
        Assert.That(output, Does.Contain("  note: solo-learn's CIFAR stem: its 3×3 conv1 pads by 2 pixels"));
    }

    [Test]
    public void Info_on_an_unrecognised_PyTorch_file_says_why_it_is_not_importable()
    {
        var (code, output, _) = MocoRun.Captured("info", P("unknown-layout.pt"));
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("2 tensors").And.Contain("  not importable: ").And.Contain("alpha.weight"));
    }

    [Test]
    public void Info_tells_an_imported_checkpoint_of_ours_from_the_file_it_came_from()
    {
        string ckpt = P("solo.imported.safetensors");
        Assert.That(MocoRun.Captured("import", P("solo-learn.legacy.ckpt"), "--out", ckpt).Code, Is.EqualTo(0));
        var (code, output, _) = MocoRun.Captured("info", ckpt);
        Assert.That(code, Is.EqualTo(0));
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain("MoCo imported checkpoint (format 1): preset v2, resnet18 width 8, small-image stem padded by 2, 1 channel(s), input 32"));
            Assert.That(output, Does.Contain("  imported from solo-learn.legacy.ckpt (legacy, layout solo-learn, sha256 "));
            Assert.That(output, Does.Contain("head none, key encoder copied from the query encoder, queue none"));
            Assert.That(output, Does.Contain("(no projection head)"));
            Assert.That(output, Does.Not.Contain("PyTorch file").And.Not.Contain("position:"));
        });
        // Imported again (our own checkpoint, as the moco layout), it keeps the preprocessing it records.
        string again = P("solo.again.ckpt");
        var (reimport, reimported, errors) = MocoRun.Captured("import", ckpt, "--out", again);
        Assert.That(reimport, Is.EqualTo(0), errors);
        Assert.That(reimported, Does.Contain("  layout: moco\n").And.Contain("  preprocessing: resize 32, crop 32, channels 1, mean [0.449], std [0.226]"));
    }
}
