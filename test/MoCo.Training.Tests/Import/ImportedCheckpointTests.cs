using System.Text.Json;
using MoCo.Training.Export;
using MoCo.Training.Import;
using MoCo.Training.Models;
using MoCo.Training.Serialization;
using MoCo.Training.Trainer;

namespace MoCo.Training.Tests.Import;

/// <summary>
/// An import written as our checkpoint (ImportedCheckpoint): the trainer's reader takes it, the config describes the
/// network, the key encoder is the file's or a copy of the query's, the queue comes only with the file, the
/// preprocessing defaults follow the stem, and nothing is written when something does not fit.
/// </summary>
[NonParallelizable]
public class ImportedCheckpointTests
{
    private string dir = "";

    [OneTimeSetUp]
    public void WriteCheckpoints()
    {
        dir = Directory.CreateTempSubdirectory("moco-imported-").FullName;
        TorchFiles.Write(dir, """
            a = ("resnet18", 8, True, 1)
            tc.moco("moco-linear.pth.tar", "moco-linear.expected", *a, head="linear", legacy=False)
            tc.lightly("lightly.ckpt", "lightly.expected", *a, legacy=True)
            """);
    }

    [OneTimeTearDown]
    public void RemoveDir() => Directory.Delete(dir, recursive: true);

    private string P(string name) => Path.Combine(dir, name);

    private static (PyTorchFile, ImportResult) Import(string path)
    {
        PyTorchFile file = PyTorchCheckpointReader.Read(path);
        return (file, EncoderImporter.Import(file));
    }

    [Test]
    public void A_MoCo_v1_file_writes_a_checkpoint_the_trainers_reader_takes_with_its_key_encoder_and_queue()
    {
        var (file, import) = Import(P("moco-linear.pth.tar"));
        using (import)
        {
            PretrainConfig written = ImportedCheckpoint.Write(P("v1.ckpt"), import, new ImportPreprocessing(), file.Path, file.Format);
            using var contents = SafeTensors.Load(P("v1.ckpt"));
            PretrainConfig config = Checkpoint.ReadConfig(contents);
            Assert.Multiple(() =>
            {
                Assert.That(JsonSerializer.Serialize(config), Is.EqualTo(JsonSerializer.Serialize(written)));
                Assert.That((config.Preset, config.Arch, config.Width, config.SmallImages, config.InChannels), Is.EqualTo(("v1", "resnet18", 8, true, 1)));
                Assert.That((config.Dim, config.Mlp, config.QueueSize, config.Temperature), Is.EqualTo((16, false, 64, 0.07)));
                Assert.That((config.InputSize, config.Mean, config.Std), Is.EqualTo((32, new[] { 0.449 }, new[] { 0.226 })));
                Assert.That(contents.Metadata.ContainsKey("moco.position"), Is.False, "a start, not a point in a run");
                Assert.That(contents.Names.Any(n => n.StartsWith("optimizer.", StringComparison.Ordinal) || n.StartsWith("rng.", StringComparison.Ordinal)), Is.False);
            });
            // The tensors are the import's, the key encoder and queue the file's (bit for bit what PyTorch saved).
            TorchFiles.AssertSameState(contents.Tensors, P("moco-linear.expected"));
            ImportProvenance provenance = ImportedCheckpoint.ReadProvenance(contents.Metadata)!;
            Assert.That(provenance with { Sha256 = "" }, Is.EqualTo(new ImportProvenance
            {
                Source = "moco-linear.pth.tar", Format = "zip", Layout = "moco", Head = "linear", KeyEncoder = true, QueueSize = 64,
            }));
            Assert.That(provenance.Sha256, Has.Length.EqualTo(64));
            Assert.That(ImportedCheckpoint.ReadPreprocessing(contents.Metadata, "v1.ckpt")!.Describe(), Is.EqualTo("resize 32, crop 32, channels 1, mean [0.449], std [0.226]"));
        }
    }

    [Test]
    public void A_backbone_only_file_gets_the_query_encoder_as_key_encoder_no_queue_and_no_head()
    {
        var (file, import) = Import(P("lightly.ckpt"));
        using (import)
        {
            PretrainConfig config = ImportedCheckpoint.Write(P("lightly.imported"), import, new ImportPreprocessing(), file.Path, file.Format);
            Assert.That((config.Preset, config.Dim, config.Mlp, config.QueueSize), Is.EqualTo(("v2", 128, true, 65536)), "what training would start anew");
            using var contents = SafeTensors.Load(P("lightly.imported"));
            var query = contents.Names.Where(n => n.StartsWith("encoder_q.", StringComparison.Ordinal)).ToList();
            Assert.That(query, Has.None.StartsWith("encoder_q.fc"));
            Assert.That(contents.Names.Where(n => n.StartsWith("encoder_k.", StringComparison.Ordinal)), Is.EqualTo(query.Select(n => "encoder_k." + n["encoder_q.".Length..])));
            foreach (string q in query)
                Assert.That(TorchFiles.Bytes(contents.Tensors["encoder_k." + q["encoder_q.".Length..]]), Is.EqualTo(TorchFiles.Bytes(contents.Tensors[q])), q);
            Assert.That(contents.Tensors.ContainsKey("queue") || contents.Tensors.ContainsKey("queue_ptr"), Is.False);
            Assert.That(CheckpointExport.HasHead(contents), Is.False);
            using ResNet encoder = CheckpointExport.LoadQueryEncoder(contents, Checkpoint.ReadConfig(contents));
            // The backbone loads whole (the head stays as built, unused by the features export takes).
            foreach (var (name, tensor) in encoder.StateEntries().Where(e => !e.name.StartsWith("fc.", StringComparison.Ordinal)))
                Assert.That(TorchFiles.Bytes(tensor), Is.EqualTo(TorchFiles.Bytes(contents.Tensors["encoder_q." + name])), name);
        }
    }

    [Test]
    public void Recognise_says_what_import_does_without_creating_tensors()
    {
        PyTorchFile file = PyTorchCheckpointReader.Read(P("moco-linear.pth.tar"));
        ImportSummary summary = EncoderImporter.Recognise(file);
        using ImportResult import = EncoderImporter.Import(file);
        Assert.That(summary, Is.Not.InstanceOf<ImportResult>());
        Assert.That((summary.Layout, summary.Encoder, summary.Head, summary.HasKeyEncoder, summary.QueueSize),
            Is.EqualTo((import.Layout, import.Encoder, import.Head, import.HasKeyEncoder, import.QueueSize)));
        Assert.That(summary.IgnoredKeys, Is.EqualTo(import.IgnoredKeys));
        Assert.That(summary.Notes, Is.EqualTo(import.Notes));
        Assert.That(summary.DescribeEncoder(), Is.EqualTo("resnet18 (width 8, small-image 3×3 stem, 1 input channel), linear head 16-d"));
    }

    private static readonly ResNetOptions ImageNet = new() { Arch = ResNetArch.ResNet50 };
    private static readonly ResNetOptions Small = new() { Arch = ResNetArch.ResNet18, SmallImages = true, InChannels = 1 };

    [Test]
    public void The_preprocessing_defaults_follow_the_stem_and_the_channels()
    {
        Assert.That(new ImportPreprocessing().Resolve(ImageNet).ToEncoderPreprocessing(3).Describe(),
            Is.EqualTo("resize 256, crop 224, channels 3, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"));
        Assert.That(new ImportPreprocessing { InputSize = 96 }.Resolve(ImageNet).Resize, Is.EqualTo(110), "the 256/224 ratio, EvalTransform.ResizeFor");
        Assert.That(new ImportPreprocessing().Resolve(Small).ToEncoderPreprocessing(1).Describe(), Is.EqualTo("resize 32, crop 32, channels 1, mean [0.449], std [0.226]"));
        Assert.That(new ImportPreprocessing { InputSize = 28 }.Resolve(Small).Resize, Is.EqualTo(28), "small images at their own size");
        var given = new ImportPreprocessing { InputSize = 64, Resize = 72, Mean = [0.5, 0.5, 0.5], Std = [0.25, 0.25, 0.25] };
        Assert.That(given.Resolve(ImageNet), Is.EqualTo(given).Using<ImportPreprocessing>((x, y) =>
            x.InputSize == y.InputSize && x.Resize == y.Resize && x.Mean!.SequenceEqual(y.Mean!) && x.Std!.SequenceEqual(y.Std!)));
    }

    [TestCase(0, null, null, "the input size must be positive")]
    [TestCase(32, 16, null, "CropSize <= ResizeShorterSide")]
    [TestCase(null, null, new[] { 0.5, 0.5, 0.5 }, "the network takes 1 channel(s)")]
    public void A_preprocessing_that_does_not_fit_is_refused_and_nothing_is_written(int? size, int? resize, double[]? mean, string message)
    {
        var p = new ImportPreprocessing { InputSize = size, Resize = resize, Mean = mean };
        Assert.That(Assert.Throws<ArgumentException>(() => p.Resolve(Small))!.Message, Does.Contain(message));
        var (file, import) = Import(P("lightly.ckpt"));
        using (import)
        {
            Assert.Throws<ArgumentException>(() => ImportedCheckpoint.Write(P("refused/x.ckpt"), import, p, file.Path, file.Format));
        }
        Assert.That(Directory.Exists(P("refused")), Is.False);
    }

    [Test]
    public void The_checkpoint_is_never_written_over_the_file_imported()
    {
        var (file, import) = Import(P("lightly.ckpt"));
        byte[] before = File.ReadAllBytes(file.Path);
        using (import)
        {
            var e = Assert.Throws<ArgumentException>(() => ImportedCheckpoint.Write(file.Path, import, new ImportPreprocessing(), file.Path, file.Format))!;
            Assert.That(e.Message, Does.Contain("is the file imported"));
        }
        Assert.That(File.ReadAllBytes(file.Path), Is.EqualTo(before));
    }
}
