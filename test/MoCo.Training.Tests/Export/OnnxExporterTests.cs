using MoCo.Onnx;
using MoCo.Onnx.Metadata;
using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Export;
using MoCo.Training.Method;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Export;

// ONNX Runtime on the exported file against libtorch's eval-mode forward of the same encoder, same input:
// max abs difference under 1e-4 relative to the output's scale.
public class OnnxExporterTests
{
    private static ResNet Encoder(ResNetOptions options, bool trained)
    {
        manual_seed(17);
        var net = new ResNet(options);
        if (!trained) return net;
        // A few supervised steps move the weights and the BatchNorm running statistics away from their initial values.
        using var sgd = optim.SGD(net.parameters(), 0.1, momentum: 0.9);
        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            sgd.zero_grad();
            var x = randn([8, options.InChannels, 32, 32]) * 2 + 0.5;
            nn.functional.cross_entropy(net.forward(x), randint(0, options.NumClasses, [8])).backward();
            sgd.step();
        }
        return net;
    }

    private static void AssertMatches(ResNet net, OnnxExportOptions options, int batch, int size)
    {
        using var scope = NewDisposeScope();
        byte[] model = OnnxExporter.ToBytes(net, options);
        using var session = OnnxSession.Open(model);
        int c = net.Options.InChannels;
        manual_seed(batch);
        Tensor expected;
        OnnxTensor actual;
        net.eval();
        using (no_grad())
        {
            if (options.Uint8Input)
            {
                var pixels = randint(0, 256, [batch, size, size, c], ScalarType.Byte);
                var mean = tensor(options.Mean.Select(v => (float)v).ToArray(), 1, c, 1, 1);
                var std = tensor(options.Std.Select(v => (float)v).ToArray(), 1, c, 1, 1);
                var x = (pixels.permute(0, 3, 1, 2).to(ScalarType.Float32) / 255 - mean) / std;
                expected = options.WithHead ? net.forward(x) : net.ForwardFeatures(x);
                actual = session.Run(pixels.ToArray<byte>(), [batch, size, size, c]);
            }
            else
            {
                var x = randn([batch, c, size, size]);
                expected = options.WithHead ? net.forward(x) : net.ForwardFeatures(x);
                actual = session.Run(x.ToArray<float>(), [batch, c, size, size]);
            }
            if (options.Normalize) expected = nn.functional.normalize(expected, dim: 1);
        }
        Assert.That(actual.Shape, Is.EqualTo(expected.shape));
        float[] e = expected.ToArray<float>();
        double scale = Math.Max(1, e.Max(v => Math.Abs(v)));
        double worst = e.Zip(actual.Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.That(worst / scale, Is.LessThan(1e-4), $"max abs diff {worst} at scale {scale}");
    }

    private static readonly ResNetOptions Small = new() { Arch = ResNetArch.ResNet18, SmallImages = true, InChannels = 1, Width = 16, BnSplits = 8 };
    private static readonly ResNetOptions ImageNetStem = new() { Arch = ResNetArch.ResNet18 };
    private static readonly ResNetOptions Bottlenecks = new() { Arch = ResNetArch.ResNet50 };

    [Test]
    public void Resnet18_small_images_matches_libtorch([Values] bool trained, [Values] bool fold, [Values(1, 37)] int batch)
    {
        using var net = Encoder(Small, trained);
        AssertMatches(net, new OnnxExportOptions { InputSize = 28, FoldBatchNorm = fold, Mean = [0.286], Std = [0.353] }, batch, 28);
    }

    // solo-learn's CIFAR stem (conv1 padded by 2): the graph's Conv takes the module's pads, at 32 px (34 after the stem) and 28.
    [Test]
    public void Resnet18_with_the_stem_padded_by_2_matches_libtorch([Values] bool fold, [Values(28, 32)] int size)
    {
        using var net = Encoder(Small with { StemPadding = 2 }, trained: true);
        AssertMatches(net, new OnnxExportOptions { InputSize = size, FoldBatchNorm = fold, Mean = [0.286], Std = [0.353] }, 3, size);
    }

    [Test]
    public void Resnet18_imagenet_stem_matches_libtorch([Values] bool trained, [Values] bool fold, [Values(1, 37)] int batch)
    {
        using var net = Encoder(ImageNetStem, trained);
        AssertMatches(net, new OnnxExportOptions { InputSize = 64, FoldBatchNorm = fold }, batch, 64);
    }

    [Test]
    public void Resnet50_matches_libtorch([Values] bool trained, [Values] bool fold, [Values(1, 37)] int batch)
    {
        using var net = Encoder(Bottlenecks, trained);
        AssertMatches(net, new OnnxExportOptions { InputSize = 64, FoldBatchNorm = fold }, batch, 64);
    }

    [Test]
    public void Uint8_input_head_and_l2_normalisation_match_libtorch([Values] bool fold)
    {
        using var net = Encoder(ImageNetStem with { Width = 16 }, trained: true);
        AssertMatches(net, new OnnxExportOptions { InputSize = 48, Uint8Input = true, WithHead = true, Normalize = true, FoldBatchNorm = fold }, 5, 48);
        using var v2 = new MomentumContrast(ImageNetStem with { Width = 16 }, new MoCoOptions { Mlp = true, QueueSize = 64 });
        AssertMatches(v2.encoder_q, new OnnxExportOptions { InputSize = 40, WithHead = true }, 3, 40);
    }

    [Test]
    public void Metadata_describes_the_preprocessing()
    {
        using var net = Encoder(Small, trained: false);
        byte[] model = OnnxExporter.ToBytes(net, new OnnxExportOptions
        {
            InputSize = 28, Uint8Input = true, Normalize = true, Mean = [0.286], Std = [0.353], Version = "v1",
            CheckpointSha256 = "abc", ConfigJson = "{\"Arch\":\"resnet18\"}",
        });
        using var session = OnnxSession.Open(model);
        var m = session.Metadata.Custom;
        Assert.That(m["moco.version"], Is.EqualTo("v1"));
        Assert.That(m["moco.arch"], Is.EqualTo("resnet18"));
        Assert.That(m["moco.input_size"], Is.EqualTo("28"));
        Assert.That(m["moco.input_channels"], Is.EqualTo("1"));
        Assert.That(m["moco.resize"], Is.EqualTo("28"));
        Assert.That(m["moco.layout"], Is.EqualTo("nhwc_uint8"));
        Assert.That(m["moco.mean"], Is.EqualTo("0.286"));
        Assert.That(m["moco.std"], Is.EqualTo("0.353"));
        Assert.That(m["moco.feature_dim"], Is.EqualTo("128"));
        Assert.That(m["moco.normalized"], Is.EqualTo("true"));
        Assert.That(m["moco.checkpoint_sha256"], Is.EqualTo("abc"));
        Assert.That(m["moco.config"], Does.Contain("resnet18"));
        Assert.That(session.Metadata.ProducerName, Is.EqualTo("MoCo.MLNet"));
        Assert.That(session.Inputs[0].Name, Is.EqualTo("image"));
        Assert.That(session.Outputs[0].Name, Is.EqualTo("features"));
    }

    [Test]
    public void Metadata_reads_back_through_the_contract_as_the_options_preprocessing()
    {
        // The ImageNet stem resizes by 256/224 (32 -> 37, 224 -> 256); the small-image stem keeps the size; a Resize given wins.
        using var stem = Encoder(Small with { SmallImages = false, InChannels = 3 }, trained: false);
        foreach (var (options, resize) in new[] { (new OnnxExportOptions { InputSize = 32 }, 37), (new OnnxExportOptions { InputSize = 224, Uint8Input = true }, 256),
                     (new OnnxExportOptions { InputSize = 32, Resize = 40 }, 40) })
        {
            using var session = OnnxSession.Open(OnnxExporter.ToBytes(stem, options));
            var read = EncoderMetadata.Read(session.Metadata.Custom, "export")!;
            Assert.That(read.Preprocessing, Is.EqualTo(new EncoderPreprocessing(resize, options.InputSize, 3, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f])
                { Layout = options.Uint8Input ? EncoderInputLayout.NhwcUInt8 : EncoderInputLayout.NchwFloat }));
            Assert.That(read.Preprocessing, Is.EqualTo(options.Preprocessing(3, smallImages: false)));
            Assert.That((read.Arch, read.FeatureDimension, read.WithHead, read.BatchNormFolded), Is.EqualTo(("resnet18", stem.FeatureDim, false, false)));
        }

        using var small = Encoder(Small, trained: false);
        using (var session = OnnxSession.Open(OnnxExporter.ToBytes(small, new OnnxExportOptions { InputSize = 28, Mean = [0.5], Std = [0.5] })))
        {
            Assert.That(EncoderMetadata.Read(session.Metadata.Custom, "export")!.Preprocessing.ResizeShorterSide, Is.EqualTo(28));
        }

        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(small, new OnnxExportOptions { InputSize = 28, Resize = 20, Mean = [0.5], Std = [0.5] }));
        Assert.That(e!.Message, Does.Contain("crop 28, resize 20"));
    }

    [Test]
    public void The_exported_file_passes_the_onnx_checker_with_full_check()
    {
        using var net = Encoder(Bottlenecks with { Width = 16 }, trained: false);
        string path = Path.Combine(Path.GetTempPath(), $"moco-export-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExporter.Save(net, path, new OnnxExportOptions { InputSize = 64, Uint8Input = true, Normalize = true, WithHead = true });
            string printed = PyTorch.RunScript($$"""
                import onnx
                m = onnx.load({{"'" + path + "'"}})
                onnx.checker.check_model(m, full_check=True)
                print("ok", m.opset_import[0].version, m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)
                """);
            Assert.That(printed.Trim(), Is.EqualTo("ok 17 N"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Unrepresentable_models_are_refused_with_a_message()
    {
        using var net = Encoder(Small, trained: false);
        net.ReplaceHead(nn.Sequential(nn.Linear(128, 64), nn.Flatten(), nn.Linear(64, 8)));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.ToBytes(net, new OnnxExportOptions { InputSize = 28, WithHead = true, Mean = [0.5], Std = [0.5] }));
        Assert.That(e!.Message, Does.Contain("fc.1").And.Contain("Flatten"));
        Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(net, new OnnxExportOptions { InputSize = 28 }));   // 3 means for 1 channel
        Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(net, new OnnxExportOptions { Mean = [0.5], Std = [0.5] }));
    }
}
