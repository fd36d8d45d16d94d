using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MoCo.Onnx.Editing;
using MoCo.Onnx.Metadata;
using MoCo.Training.Data;
using MoCo.Training.FineTuning;
using MoCo.Training.Tests.Trainer;

namespace MoCo.Training.Tests.FineTuning;

// The ONNX classifier against its reference, the TorchSharp network's eval-mode forward on identical inputs: logits to
// 1e-4 of their scale, probabilities = softmax(logits) to 1e-5 (probabilities lie in [0, 1]).
public class ClassifierExportTests
{
    private static readonly FineTuneConfig Config = FineTuneStepTests.Small with
    {
        Classes = 3, ClassNames = ["circle, red", "square", "T-shirt/top"], InputSize = 16, Mean = [0.3], Std = [0.3], LabelsPerClass = 6, Epochs = 1,
        BatchSize = 4, Seed = 4,
    };

    [TestCase(false)]
    [TestCase(true)]
    public void The_onnx_classifier_gives_the_networks_logits_and_their_softmax(bool channelsLast)
    {
        string dir = Directory.CreateTempSubdirectory("moco-ft-onnx-").FullName;
        try
        {
            using var images = PretrainRunTests.Blobs();
            var config = Config with { ChannelsLast = channelsLast };
            using var train = new LabelledTrainingSet(images, config);
            using var run = FineTuneRun.Start(config, train, null, dir);
            run.Run();   // one epoch: weights and BatchNorm's running statistics away from their initial values
            string path = Path.Combine(dir, ClassifierExport.FileName);
            ClassifierExport.Save(run.Model.Network, config, path);

            using var session = new InferenceSession(path);
            Assert.That(session.OutputNames, Is.EqualTo(new[] { OnnxClassifier.Logits, OnnxClassifier.Probabilities }));
            var metadata = EncoderMetadata.Read(session.ModelMetadata.CustomMetadataMap, path)!;
            Assert.That(metadata.ClassNames, Is.EqualTo(config.ClassNames), "class names with a comma and a slash survive");
            Assert.That((metadata.Preprocessing.CropSize, metadata.Preprocessing.ResizeShorterSide, metadata.Preprocessing.Channels), Is.EqualTo((16, 16, 1)));
            Assert.That(metadata.Preprocessing.Mean, Is.EqualTo(new[] { 0.3f }));

            var rng = new Random(7);
            float[] x = [.. Enumerable.Range(0, 5 * 16 * 16).Select(_ => (float)(rng.NextDouble() * 4 - 1.5))];
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(x, [5, 1, 16, 16]))]);
            float[] logits = [.. outputs.First(o => o.Name == OnnxClassifier.Logits).AsEnumerable<float>()];
            float[] probabilities = [.. outputs.First(o => o.Name == OnnxClassifier.Probabilities).AsEnumerable<float>()];

            var network = run.Model.Network;
            network.eval();
            using var noGrad = no_grad();
            using var input = tensor(x, [5, 1, 16, 16]);
            using var expected = network.forward(input);
            float[] reference = expected.data<float>().ToArray();
            float[] softmax = expected.softmax(1).data<float>().ToArray();
            double scale = reference.Max(v => Math.Abs(v));
            Assert.That(scale, Is.GreaterThan(0.01), "the logits are not trivially zero");
            Assert.That(logits.Zip(reference).Max(p => Math.Abs(p.First - p.Second)), Is.LessThanOrEqualTo(1e-4 * scale));
            Assert.That(probabilities.Zip(softmax).Max(p => Math.Abs(p.First - p.Second)), Is.LessThanOrEqualTo(1e-5));

            // The one-output form (what the ML.NET model runs) gives the same probabilities.
            using var single = new InferenceSession(ClassifierExport.ToBytes(network, config, probabilitiesOnly: true));
            Assert.That(single.OutputNames, Is.EqualTo(new[] { OnnxClassifier.Probabilities }));
            using var one = single.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(x, [5, 1, 16, 16]))]);
            Assert.That(one.First().AsEnumerable<float>().ToArray(), Is.EqualTo(probabilities).Within(1e-6));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Class_names_that_do_not_fit_the_classifier_are_refused()
    {
        using var model = FineTuneModel.Create(Config with { ClassNames = null });
        Assert.That(() => ClassifierExport.ToBytes(model.Network, Config with { ClassNames = ["a", "a", "b"] }),
            Throws.ArgumentException.With.Message.Contain("distinct"));
        Assert.That(() => (Config with { ClassNames = ["a", "b"] }).Validate(), Throws.ArgumentException.With.Message.Contain("3 distinct"));
    }
}
