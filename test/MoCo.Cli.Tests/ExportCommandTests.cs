using MoCo.Cli.Tests.Support;
using MoCo.Onnx;
using TorchSharp;
using MoCo.Training.Serialization;
using MoCo.Training.Export;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Cli.Tests;

[NonParallelizable]
public class ExportCommandTests
{
    private string dir = "";

    [SetUp]
    public void Make() => dir = Directory.CreateTempSubdirectory("moco-export-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    // pretrain → export → ORT features equal the checkpoint's query encoder run by libtorch in eval mode (1e-4).
    [Test]
    public void Export_of_a_pretrained_checkpoint_gives_libtorchs_features_through_onnx_runtime()
    {
        string run = Path.Combine(dir, "run"), onnx = Path.Combine(dir, "encoder.onnx");
        Assert.That(MocoApp.Run(["pretrain", "--data", "fashion-mnist:train", "--first", "256", "--width", "4", "--batch", "64", "--queue", "128",
            "--epochs", "1", "--threads", "1", "--out", run]), Is.EqualTo(0));
        Assert.That(MocoApp.Run(["export", "--checkpoint", Path.Combine(run, "last.ckpt"), "--out", onnx, "--fold-bn", "--normalize"]), Is.EqualTo(0));

        using var scope = NewDisposeScope();
        using var contents = SafeTensors.Load(Path.Combine(run, "last.ckpt"));
        var config = Checkpoint.ReadConfig(contents);
        using var encoder = CheckpointExport.LoadQueryEncoder(contents, config);
        manual_seed(3);
        var x = randn([7, 1, 28, 28]);
        Tensor expected;
        using (no_grad()) expected = nn.functional.normalize(encoder.ForwardFeatures(x), dim: 1);
        using var session = OnnxSession.Open(onnx);
        var actual = session.Run(x.data<float>().ToArray(), [7, 1, 28, 28]);
        Assert.That(actual.Shape, Is.EqualTo(new long[] { 7, 32 }));
        float[] e = expected.data<float>().ToArray();
        Assert.That(e.Zip(actual.Values, (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(1e-4));
        Assert.That(session.Metadata.Custom["moco.input_size"], Is.EqualTo("28"));
        Assert.That(session.Metadata.Custom["moco.checkpoint_sha256"], Has.Length.EqualTo(64));

        var (model, checkpoint) = (MocoRun.Captured("info", onnx), MocoRun.Captured("info", Path.Combine(run, "last.ckpt")));
        Assert.That(model.Code, Is.EqualTo(0));
        Assert.That(checkpoint.Code, Is.EqualTo(0));
        Assert.That(model.Out + checkpoint.Out, Does.Contain("features: Float[N, 32]").And.Contain("MoCo training checkpoint").And.Contain("encoder_q."));
    }

    [Test]
    public void Export_of_a_missing_or_foreign_file_fails_with_a_message()
    {
        string foreign = Path.Combine(dir, "plain.safetensors");
        SafeTensors.Save(foreign, [new("w", ones([2]))]);
        Assert.That(MocoApp.Run(["export", "--checkpoint", Path.Combine(dir, "none.ckpt")]), Is.EqualTo(1));
        Assert.That(MocoApp.Run(["export", "--checkpoint", foreign, "--out", Path.Combine(dir, "x.onnx")]), Is.EqualTo(1));
        Assert.That(File.Exists(Path.Combine(dir, "x.onnx")), Is.False);
    }
}
