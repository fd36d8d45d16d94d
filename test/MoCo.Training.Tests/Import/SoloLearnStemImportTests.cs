using System.Text.Json;
using MoCo.Onnx;
using MoCo.Training.Export;
using MoCo.Training.Import;
using MoCo.Training.Models;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Import;

/// <summary>
/// solo-learn's CIFAR ResNet pads its 3×3 conv1 by 2 (solo/methods/base.py), which no tensor shape tells: the solo-learn
/// layout sets <see cref="ResNetOptions.StemPadding"/> 2, our checkpoint records it, and the export builds conv1 with it.
/// Reference: files written by Debian's PyTorch 1.13 with random weights (Reference/torch_checkpoints.py, ResNet-18 width
/// 8, 1 channel, with solo-learn's stem), and PyTorch's eval-mode forward of the same state dict in torchvision's ResNet
/// with that stem; ONNX Runtime's features must equal it to 1e-4 of their largest magnitude.
/// </summary>
[NonParallelizable]
public class SoloLearnStemImportTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteCheckpoints()
    {
        dir = Directory.CreateTempSubdirectory("moco-solo-stem-").FullName;
        TorchFiles.Write(dir, """
            a = ("resnet18", 8, True, 1)
            tc.solo_learn("solo.zip.ckpt", "solo.zip.expected", *a, legacy=False)
            tc.features("solo.zip.expected", "solo.zip.features", *a, 32, stem_padding=2)
            tc.features("solo.zip.expected", "solo.padded1.features", *a, 32)
            tc.solo_learn("solo-old.legacy.ckpt", "solo-old.legacy.expected", *a, legacy=True, old=True)
            tc.solo_learn("solo-imagenet.zip.ckpt", "solo-imagenet.zip.expected", "resnet18", 4, False, 3, legacy=False)
            tc.torchvision_resnet("torchvision.pth", "torchvision.expected", *a, legacy=False)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static ImportResult Import(string path, ImportOptions? options = null) => EncoderImporter.Import(PyTorchCheckpointReader.Read(path), options);

    [TestCase("solo.zip.ckpt")]
    [TestCase("solo-old.legacy.ckpt")]
    public void A_solo_learn_CIFAR_backbone_imports_with_its_stem_padded_by_2(string file)
    {
        using ImportResult result = Import(P(file));
        Assert.Multiple(() =>
        {
            Assert.That(result.Layout, Is.EqualTo(CheckpointLayout.SoloLearn));
            Assert.That(result.Encoder, Is.EqualTo(new ResNetOptions { Arch = ResNetArch.ResNet18, Width = 8, SmallImages = true, StemPadding = 2, InChannels = 1 }));
            Assert.That(result.DescribeEncoder(), Is.EqualTo("resnet18 (width 8, small-image 3×3 stem padded by 2, 1 input channel), no head"));
            Assert.That(result.Notes, Has.Some.StartsWith("solo-learn's CIFAR stem: its 3×3 conv1 pads by 2 pixels"));
        });
        TorchFiles.AssertSameState(result.State, P(file.Replace(".ckpt", ".expected", StringComparison.Ordinal)));
        ImportSummary recognised = EncoderImporter.Recognise(PyTorchCheckpointReader.Read(P(file)));
        Assert.That(recognised.Encoder, Is.EqualTo(result.Encoder), "moco info recognises what moco import imports");
    }

    [Test]
    public void Import_then_export_gives_the_features_of_solo_learns_forward_through_ONNX_Runtime()
    {
        PyTorchFile file = PyTorchCheckpointReader.Read(P("solo.zip.ckpt"));
        string ckpt = P("solo.imported.ckpt"), onnx = P("solo.onnx");
        using (ImportResult import = EncoderImporter.Import(file))
        {
            PretrainConfig written = ImportedCheckpoint.Write(ckpt, import, new ImportPreprocessing(), file.Path, file.Format);
            Assert.That(written.StemPadding, Is.EqualTo(2));
        }
        using (var contents = SafeTensors.Load(ckpt))
        {
            PretrainConfig config = Checkpoint.ReadConfig(contents);
            Assert.That((config.SmallImages, config.StemPadding, config.EncoderOptions.StemPaddingInForce), Is.EqualTo((true, (int?)2, 2)));
            Assert.That(contents.Metadata["moco.config"], Does.Contain("\"StemPadding\":2"));
        }
        CheckpointExport.Export(ckpt, onnx);
        using (var reference = SafeTensors.Load(P("solo.zip.features"))) TorchFiles.AssertSameOutputs(onnx, reference, "features");   // conv1 padded by 2
        // The reference can tell the stems apart: the same weights with padding 1 give other features (on that file's own
        // images: each features file draws its own x).
        using var padded1 = SafeTensors.Load(P("solo.padded1.features"));
        var (error, scale) = TorchFiles.Difference(onnx, padded1, "features");
        Assert.That(error / scale, Is.GreaterThan(1e-2), "padding 1's forward is another");
        using var session = OnnxSession.Open(onnx);
        Assert.That(session.Metadata.Custom["moco.config"], Does.Contain("\"StemPadding\":2"), "the exported model's config names the stem");
    }

    [Test]
    public void Our_checkpoint_of_a_solo_learn_import_imported_again_keeps_its_stem()
    {
        PyTorchFile file = PyTorchCheckpointReader.Read(P("solo.zip.ckpt"));
        string ckpt = P("solo.first.ckpt");
        using (ImportResult import = EncoderImporter.Import(file)) ImportedCheckpoint.Write(ckpt, import, new ImportPreprocessing(), file.Path, file.Format);
        using ImportResult again = Import(ckpt);
        Assert.That(again.Layout, Is.EqualTo(CheckpointLayout.MoCo));
        Assert.That(again.Encoder.StemPadding, Is.EqualTo(2), "from the config, since no shape tells it");
    }

    [TestCase("solo-imagenet.zip.ckpt", false)]
    [TestCase("torchvision.pth", true)]
    public void Other_stems_keep_their_usual_padding(string file, bool small)
    {
        using ImportResult result = Import(P(file));
        Assert.That((result.Encoder.SmallImages, result.Encoder.StemPadding, result.Encoder.StemPaddingInForce), Is.EqualTo((small, (int?)null, small ? 1 : 3)));
        Assert.That(result.Notes, Has.None.Contains("CIFAR stem"));
    }

    [Test]
    public void A_padding_given_overrides_the_layouts_and_the_usual_one_is_recorded_as_none()
    {
        using (ImportResult torchvision = Import(P("torchvision.pth"), new ImportOptions { StemPadding = 2 }))
            Assert.That(torchvision.Encoder.StemPadding, Is.EqualTo(2));
        using (ImportResult solo = Import(P("solo.zip.ckpt"), new ImportOptions { StemPadding = 1 }))
            Assert.That(solo.Encoder.StemPadding, Is.Null, "1 is the 3×3 stem's usual padding");
        var e = Assert.Throws<ArgumentException>(() => Import(P("solo.zip.ckpt"), new ImportOptions { StemPadding = 3 }))!;
        Assert.That(e.Message, Is.EqualTo("the stem padding must lie in [0, 2] for the 3×3 stem, got 3"));
    }

    [Test]
    public void Configs_without_the_field_build_the_usual_stem_and_write_no_such_key()
    {
        string json = JsonSerializer.Serialize(PretrainConfig.V2 with { SmallImages = true });
        Assert.That(json, Does.Not.Contain("StemPadding"), "configs (and so checkpoints and exported models) of other networks read as before");
        PretrainConfig read = JsonSerializer.Deserialize<PretrainConfig>(json)!;
        Assert.That((read.StemPadding, read.EncoderOptions.StemPaddingInForce), Is.EqualTo(((int?)null, 1)));
        // A checkpoint written before the field existed (MoCo.Torch, commit fe54950) loads with conv1 padded by 1.
        string old = Path.Combine(AppContext.BaseDirectory, "Fixtures", "pre-port", "last.ckpt");
        using var contents = SafeTensors.Load(old);
        PretrainConfig config = Checkpoint.ReadConfig(contents);
        Assert.That(contents.Metadata["moco.config"], Does.Not.Contain("StemPadding"));
        using ResNet encoder = CheckpointExport.LoadQueryEncoder(contents, config);
        Assert.That(encoder.Stem.conv.padding, Is.EqualTo(new long[] { 1, 1 }));
    }
}
