using Microsoft.ML;
using MoCo.Imaging;
using MoCo.Imaging.Transforms;
using MoCo.MLNet.Classifier;
using MoCo.MLNet.Tests.Support;
using MoCo.Onnx;
using MoCo.Training.FineTuning;
using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.MLNet.Tests.Classifier;

// The fine-tuned classifier's ML.NET model zip against the ONNX classifier it was made from: reloaded in a new process
// that has ML.NET and MoCo.MLNet only (test/MoCo.MLNet.LoadCheck), on encoded PNG bytes, its Score must be the ONNX
// classifier's probabilities (on the same images through MoCo.Imaging's torchvision-exact eval transform) to 1e-4, and
// its PredictedLabel the class name of their argmax. The ONNX classifier itself is held to the TorchSharp forward.
[NonParallelizable]
public class ClassifierModelTests
{
    private static readonly string[] Names = ["ant", "bee, honey", "cat", "dog"];

    private static readonly FineTuneConfig Config = new()
    {
        Arch = "resnet18", Width = 8, SmallImages = true, InChannels = 3, Classes = 4, ClassNames = Names, InputSize = 24,
        Mean = [0.485, 0.456, 0.406], Std = [0.229, 0.224, 0.225], ChannelsLast = false, Seed = 3,
    };

    /// <summary>A network whose weights and BatchNorm statistics moved away from their initialisation (three SGD steps).</summary>
    private static FineTuneModel Trained()
    {
        var model = FineTuneModel.Create(Config);
        using var sgd = optim.SGD(model.Network.parameters(), 0.1, momentum: 0.9);
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            sgd.zero_grad();
            var x = (randn(8, 3, 24, 24) * 2) + 0.5;
            nn.functional.cross_entropy(model.Network.forward(x), randint(0, 4, [8], ScalarType.Int64)).backward();
            sgd.step();
        }

        model.Network.eval();
        return model;
    }

    private static float[] Preprocess(string path)
    {
        var transform = new EvalTransform(24, 24) { Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f] };
        using var image = ImageDecoder.Decode(path, new ImageDecodeOptions(Channels: 3));
        var chw = new float[3 * 24 * 24];
        transform.Apply(image, chw);
        return chw;
    }

    [Test]
    public void The_zip_reloads_in_a_new_process_with_the_onnx_classifiers_predictions()
    {
        using var dir = new TempDir();
        var paths = TestImages.Write(dir.Path, 10, seed: 8).Select(dir.File).ToArray();
        using var model = Trained();
        var chw = paths.SelectMany(Preprocess).ToArray();
        // Pooled features are all alike in direction; a head on their standardised values spreads the images over the
        // classes, so that equal labels cannot come from a constant prediction.
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var f = model.Network.ForwardFeatures(tensor(chw, [paths.Length, 3, 24, 24]));
            var (mean, sd) = (f.mean([0]), f.std(0) + 1e-3);
            var w = randn(4, f.shape[1]) / sd;
            var fc = model.HeadParameters().ToList();
            fc[0].copy_(w);
            fc[1].copy_(-(w.matmul(mean)));
        }


        // The ONNX classifier on the preprocessed images, and its reference: the network's forward.
        using var classifier = OnnxSession.Open(ClassifierExport.ToBytes(model.Network, Config));
        using var probabilitiesOnly = OnnxSession.Open(ClassifierExport.ToBytes(model.Network, Config, probabilitiesOnly: true));
        var logits = classifier.Run(chw, [paths.Length, 3, 24, 24]).Values;
        var probabilities = probabilitiesOnly.Run(chw, [paths.Length, 3, 24, 24]).Values;
        float[] reference;
        using (no_grad())
        using (var x = tensor(chw, [paths.Length, 3, 24, 24]))
        using (var y = model.Network.forward(x))
        {
            reference = y.data<float>().ToArray();
        }

        var scale = reference.Max(v => Math.Abs(v));
        Assert.That(logits.Zip(reference).Max(p => Math.Abs(p.First - p.Second)), Is.LessThanOrEqualTo(1e-4 * scale));

        var written = ClassifierModel.Write(ClassifierExport.ToBytes(model.Network, Config, probabilitiesOnly: true), dir.Path, Names.Length);
        Assert.That(written.Select(Path.GetFileName), Is.EqualTo(new[] { ClassifierModel.FileName, ClassifierModel.ConsumptionFile }));
        Assert.That(File.ReadAllText(written[1]), Does.Contain("moco finetune").And.Contain("PredictedLabel"));
        var (scores, labels) = LoadCheckProcess.Run(written[0], paths, Names.Length, dir.Path, labels: true, column: "Score", bytes: true);

        var expected = Enumerable.Range(0, paths.Length).Select(i => probabilities.AsSpan(i * 4, 4).ToArray()).ToArray();
        FeatureAssert.Close(expected, scores, 1e-4);
        var argmax = expected.Select(p => Names[Array.IndexOf(p, p.Max())]).ToArray();
        Assert.That(labels, Is.EqualTo(argmax));
        Assert.That(argmax.Distinct().Count(), Is.GreaterThan(1), "the images are not all one class (the test could not tell labels apart)");

        // In this process, the loaded chain with the batched featuriser put back (what the consumption code suggests for many images).
        var ml = new MLContext();
        var loaded = ml.Model.Load(written[0], out var schema);
        var fast = MoCoModel.RestoreBatching(loaded, schema);
        var rows = ml.Data.LoadFromEnumerable(paths.Select(p => new BytesInput { ImageSource = File.ReadAllBytes(p) }));
        var scored = ml.Data.CreateEnumerable<ScoredRow>(fast.Transform(rows), reuseRowObject: false).ToList();
        FeatureAssert.Close(expected, [.. scored.Select(r => r.Score)], 1e-4);
        Assert.That(scored.Select(r => r.PredictedLabel), Is.EqualTo(argmax));
    }

    private sealed class BytesInput
    {
        public byte[] ImageSource { get; set; } = [];
    }

    private sealed class ScoredRow
    {
        public float[] Score { get; set; } = [];

        public string PredictedLabel { get; set; } = "";
    }

    [Test]
    public void ArgMax_takes_the_first_of_equal_scores_and_refuses_nan()
    {
        Assert.That(ArgMaxMapping.ArgMax([0.1f, 0.7f, 0.7f, 0.2f]), Is.EqualTo(1));
        Assert.That(ArgMaxMapping.ArgMax([0.9f, 0.05f]), Is.EqualTo(0));
        Assert.That(ArgMaxMapping.ArgMax([0.1f, float.NaN]), Is.EqualTo(-1));
        Assert.That(ArgMaxMapping.ArgMax([]), Is.EqualTo(-1));
    }

    [Test]
    public void A_model_without_class_names_is_refused()
    {
        using var model = Trained();
        var encoder = MoCo.Training.Export.OnnxExporter.ToBytes(model.Network, new MoCo.Training.Export.OnnxExportOptions { InputSize = 24, WithHead = true });
        var e = Assert.Throws<ArgumentException>(() => ClassifierModel.Build(new MLContext(), encoder));
        Assert.That(e!.Message, Does.Contain("moco.class_names"));
    }
}
