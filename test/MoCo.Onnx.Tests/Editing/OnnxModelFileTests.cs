using MoCo.Onnx.Editing;
using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Tests.Editing;

// Parsing without ONNX Runtime, and embedding a whole model in a wrapper graph: the wrapped model must give exactly
// the inner model's output on the transformed input (closed form of the wrapper: y = inner(x * 3)).
public class OnnxModelFileTests
{
    private static byte[] Inner()
    {
        var g = new OnnxGraphBuilder("inner");
        var x = g.Input("image", OnnxElementType.Float, -1, 4);
        var w = g.Initializer("w", [1f, -2f, 0.5f, 3f, 0f, 1f, -1f, 2f], 2, 4);
        g.Output(g.Relu(g.Gemm(x, w, null)), "features", OnnxElementType.Float, -1, 2);
        return g.ToBytes(new OnnxModelProperties { Metadata = new Dictionary<string, string> { ["moco.input_size"] = "4" } });
    }

    [Test]
    public void Reads_inputs_outputs_and_metadata()
    {
        var file = OnnxModelFile.Parse(Inner(), "inner");
        Assert.That(file.Inputs.Select(i => i.Name), Is.EqualTo(new[] { "image" }));
        Assert.That(file.Inputs[0].Shape, Is.EqualTo(new long[] { -1, 4 }));
        Assert.That(file.Outputs[0].Shape, Is.EqualTo(new long[] { -1, 2 }));
        Assert.That(file.Metadata["moco.input_size"], Is.EqualTo("4"));
    }

    [Test]
    public void Truncated_or_foreign_bytes_fail_naming_the_source()
    {
        var bytes = Inner();
        Assert.That(() => OnnxModelFile.Parse(bytes.AsSpan(0, bytes.Length / 2), "half.onnx"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("half.onnx"));
        Assert.That(() => OnnxModelFile.Parse("hello world"u8, "text.onnx"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("text.onnx"));
        Assert.That(() => OnnxModelFile.Parse([], "empty.onnx"), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("empty"));
    }

    [Test]
    public void Embedded_model_gives_the_inner_models_output()
    {
        var inner = Inner();
        var g = new OnnxGraphBuilder("outer");
        var x = g.Input("x", OnnxElementType.Float, -1, 4);
        var scaled = g.Mul(x, g.Initializer("three", [3f]));
        var y = g.Embed(OnnxModelFile.Parse(inner, "inner"), scaled, "encoder/");
        g.Output(y, "features", OnnxElementType.Float, -1, 2);
        var outer = g.ToBytes();

        float[] input = [0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 3f];
        using var innerSession = OnnxSession.Open(inner);
        using var outerSession = OnnxSession.Open(outer);
        var expected = innerSession.Run(input.Select(v => v * 3f).ToArray(), [2, 4]).Values;
        var actual = outerSession.Run(input, [2, 4]).Values;
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(OnnxModelFile.Parse(outer, "outer").Proto.OpsetImport.Single().Version, Is.EqualTo(OnnxModelFile.Parse(inner, "inner").Proto.OpsetImport.Single().Version));
    }
}
