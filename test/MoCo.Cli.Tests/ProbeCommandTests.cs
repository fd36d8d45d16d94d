using MoCo.Cli.Tests.Support;
using System.Text.Json;
using MoCo.Imaging.Encoders;
using MoCo.Onnx;
using MoCo.Onnx.Writer;

namespace MoCo.Cli.Tests;

[NonParallelizable]
public class ProbeCommandTests
{
    private string dir = "";

    [SetUp]
    public void Make() => dir = Directory.CreateTempSubdirectory("moco-probe-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Error) Moco(params string[] args) => MocoRun.Captured(args);

    private static void AssertOneErrorLine((int Code, string Out, string Error) run, string expected) => MocoRun.AssertOneErrorLine(run, expected);

    private string Png(string folder, int index, byte shade)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"img{index}.png");
        File.WriteAllBytes(path, PngEncoder.Encode(Enumerable.Repeat(shade, 8 * 8).ToArray(), 8, 8, 1));
        return path;
    }

    // Raw pixels on a few hundred Fashion-MNIST images: one JSON line with the figures as fractions, well above chance.
    [Test]
    public void Json_line_carries_linear_and_knn_top1()
    {
        var run = Moco("probe", "--model", "pixels", "--train", "fashion-mnist", "--test", "fashion-mnist", "--sample", "400", "--test-sample", "300",
            "--trainer", "lbfgs", "--json", "--out", Path.Combine(dir, "out"));
        Assert.That(run.Code, Is.EqualTo(0), run.Error);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), run.Out);
        var json = JsonDocument.Parse(lines[0]).RootElement;
        Assert.That(json.GetProperty("linear_top1").GetDouble(), Is.InRange(0.55, 1.0));
        Assert.That(json.GetProperty("knn_top1").GetDouble(), Is.InRange(0.5, 1.0));
        Assert.That(json.GetProperty("train_count").GetInt32(), Is.EqualTo(400));
        Assert.That(json.GetProperty("test_count").GetInt32(), Is.EqualTo(300));
        Assert.That(json.GetProperty("trainer").GetString(), Is.EqualTo("lbfgs"));
        foreach (var file in new[] { "model.zip", "MoCoProbeModel.consumption.cs", "confusion-matrix.svg", "predictions.csv" })
        {
            Assert.That(File.Exists(Path.Combine(dir, "out", file)), Is.True, file);
        }

        Assert.That(File.ReadAllLines(Path.Combine(dir, "out", "predictions.csv")), Has.Length.EqualTo(301));
    }

    // Without --test, --limit samples the source and --split holds out part of that sample; kNN only: no model zip.
    [Test]
    public void Limit_samples_before_the_split_and_knn_alone_writes_no_model()
    {
        var run = Moco("probe", "--model", "pixels", "--train", "fashion-mnist:test", "--sample", "200", "--split", "0.25", "--trainer", "knn", "--knn-k", "20",
            "--json", "--out", Path.Combine(dir, "out"));
        Assert.That(run.Code, Is.EqualTo(0), run.Error);
        var json = JsonDocument.Parse(run.Out.Trim()).RootElement;
        Assert.That((json.GetProperty("train_count").GetInt32(), json.GetProperty("test_count").GetInt32()), Is.EqualTo((150, 50)));
        Assert.That(json.GetProperty("linear_top1").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(json.GetProperty("knn_top1").GetDouble(), Is.InRange(0.4, 1.0));
        Assert.That(File.Exists(Path.Combine(dir, "out", "model.zip")), Is.False);
        Assert.That(File.Exists(Path.Combine(dir, "out", "confusion-matrix.svg")), Is.True);
    }

    [Test]
    public void Unknown_source_gives_one_line_and_a_nonzero_exit()
    {
        AssertOneErrorLine(Moco("probe", "--model", "pixels", "--train", Path.Combine(dir, "no-such-thing")), "is not a data source");
        AssertOneErrorLine(Moco("probe", "--model", "pixels", "--train", "fashion-mnist:validation"), "is not train or test");
    }

    [Test]
    public void Model_without_metadata_and_no_preprocessing_gives_one_line_and_a_nonzero_exit()
    {
        var g = new OnnxGraphBuilder("bare");
        g.Output(g.Flatten(g.Input("image", OnnxElementType.Float, -1, 1, 8, 8)), "features", OnnxElementType.Float, -1, 64);
        var model = Path.Combine(dir, "bare.onnx");
        g.Save(model);
        for (var i = 0; i < 4; i++)
        {
            Png(Path.Combine(dir, "data", "dark"), i, (byte)(10 + i));
            Png(Path.Combine(dir, "data", "light"), i, (byte)(240 - i));
        }

        AssertOneErrorLine(Moco("probe", "--model", model, "--train", Path.Combine(dir, "data")), "carries no moco.* preprocessing metadata");
        // With the preprocessing given, the same model probes.
        var run = Moco("probe", "--model", model, "--train", Path.Combine(dir, "data"), "--preprocessing", "8:8:1:0.5:0.5", "--split", "0.25", "--trainer", "lbfgs", "--knn-k", "3");
        Assert.That(run.Code, Is.EqualTo(0), run.Error);
        Assert.That(run.Out, Does.Contain("micro accuracy"));
    }

    [Test]
    public void Empty_class_folder_gives_one_line_and_a_nonzero_exit()
    {
        Png(Path.Combine(dir, "data", "full"), 0, 100);
        Directory.CreateDirectory(Path.Combine(dir, "data", "empty"));
        AssertOneErrorLine(Moco("probe", "--model", "pixels", "--train", Path.Combine(dir, "data"), "--preprocessing", "8:8:1:0.5:0.5"), "hold no .jpg/.jpeg/.png images");
    }

    [Test]
    public void Missing_model_file_gives_one_line_and_a_nonzero_exit() =>
        AssertOneErrorLine(Moco("probe", "--model", Path.Combine(dir, "absent.onnx"), "--train", "fashion-mnist"), "does not exist");
}
