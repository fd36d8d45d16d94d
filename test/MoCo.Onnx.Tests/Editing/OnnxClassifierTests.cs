using MoCo.Onnx.Editing;
using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Tests.Editing;

// OnnxClassifier around a hand-built logits model (Gemm on a flattened 1×2×2 image, weights known), run by ONNX Runtime:
// logits = W·x + b exactly, probabilities = their softmax computed here in doubles, class names in the metadata.
public class OnnxClassifierTests
{
    private static readonly float[] W = [1, -2, 0.5f, 3, -1, 0, 2, 1, 0.25f, 0.25f, -0.5f, 4];   // 3 classes × 4 pixels
    private static readonly float[] B = [0.1f, -0.3f, 0.2f];

    private static byte[] LogitsModel()
    {
        var g = new OnnxGraphBuilder("logits");
        var x = g.Input("image", OnnxElementType.Float, -1, 1, 2, 2);
        var y = g.Gemm(g.Flatten(x), g.Initializer("fc.weight", W, 3, 4), g.Initializer("fc.bias", B, 3));
        g.Output(y, "features", OnnxElementType.Float, -1, 3);
        var metadata = new EncoderMetadata(new EncoderPreprocessing(2, 2, 1, [0.5f], [0.25f])) { Arch = "test" }.ToDictionary();
        return g.ToBytes(new OnnxModelProperties { Metadata = metadata });
    }

    [Test]
    public void Logits_and_probabilities_are_the_models_and_their_softmax_and_the_names_are_kept()
    {
        string[] names = ["a, with comma", "b \"quoted\"", "c"];
        float[] x = [0.5f, -1, 2, 0.25f, 1, 1, -0.5f, 0];   // two images
        using var both = OnnxSession.Open(OnnxClassifier.FromLogits(LogitsModel(), names));
        using var single = OnnxSession.Open(OnnxClassifier.FromLogits(LogitsModel(), names, probabilitiesOnly: true));
        Assert.That(both.Outputs.Select(o => o.Name), Is.EqualTo(new[] { OnnxClassifier.Logits, OnnxClassifier.Probabilities }));
        Assert.That(single.Outputs.Select(o => o.Name), Is.EqualTo(new[] { OnnxClassifier.Probabilities }));
        var logits = both.Run(x, [2, 1, 2, 2]).Values;
        var probabilities = single.Run(x, [2, 1, 2, 2]).Values;
        for (int n = 0; n < 2; n++)
        {
            var z = Enumerable.Range(0, 3).Select(c => B[c] + Enumerable.Range(0, 4).Sum(i => (double)W[c * 4 + i] * x[n * 4 + i])).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < 3; c++)
            {
                Assert.That(logits[n * 3 + c], Is.EqualTo(z[c]).Within(1e-5), $"logit {n},{c}");
                Assert.That(probabilities[n * 3 + c], Is.EqualTo(Math.Exp(z[c] - max) / sum).Within(1e-6), $"probability {n},{c}");
            }
        }

        var read = EncoderMetadata.Read(both.Metadata.Custom, "classifier")!;
        Assert.That(read.ClassNames, Is.EqualTo(names));
        Assert.That(read.Arch, Is.EqualTo("test"), "the logits model's metadata is kept");
        Assert.That(read.Preprocessing.Mean, Is.EqualTo(new[] { 0.5f }));
        Assert.That(OnnxClassifier.ClassNamesOf(both.Metadata.Custom, "classifier"), Is.EqualTo(names));
    }

    [Test]
    public void Names_that_do_not_fit_and_unreadable_names_are_refused()
    {
        Assert.That(() => OnnxClassifier.FromLogits(LogitsModel(), ["a", "b"]), Throws.ArgumentException.With.Message.Contain("Float[N, 2] for 2 classes"));
        Assert.That(() => OnnxClassifier.FromLogits(LogitsModel(), ["a", "b", "a"]), Throws.ArgumentException.With.Message.Contain("distinct"));
        var bad = new Dictionary<string, string> { [EncoderMetadataKeys.ClassNames] = "a,b" };
        Assert.That(() => OnnxClassifier.ClassNamesOf(bad, "m.onnx"), Throws.TypeOf<InvalidDataException>().With.Message.Contain("m.onnx").And.Message.Contain("moco.class_names"));
        Assert.That(OnnxClassifier.ClassNamesOf(new Dictionary<string, string>(), "m.onnx"), Is.Null);
    }
}
