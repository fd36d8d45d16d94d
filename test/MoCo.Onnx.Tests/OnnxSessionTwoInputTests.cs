using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Tests;

// The two-input RunInto (uint8 + float → float), against the closed form of a tiny graph: y = float(x) * 2 + b.
public class OnnxSessionTwoInputTests
{
    private static byte[] Graph()
    {
        var g = new OnnxGraphBuilder("two_inputs");
        var x = g.Input("x", OnnxElementType.UInt8, -1, 3);
        var b = g.Input("b", OnnxElementType.Float, -1, 1);
        var y = g.Add(g.Mul(g.Cast(x, OnnxElementType.Float), g.Initializer("two", [2f])), b);
        g.Output(y, "y", OnnxElementType.Float, -1, 3);
        return g.ToBytes();
    }

    [Test]
    public void Writes_the_closed_form_into_the_callers_buffer()
    {
        using var session = OnnxSession.Open(Graph());
        byte[] x = [0, 1, 255, 7, 8, 9];
        float[] b = [0.5f, float.NaN];
        var y = new float[6];
        var shape = session.RunInto(x, [2, 3], b, [2, 1], y);
        Assert.That(shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(y.Take(3), Is.EqualTo(new[] { 0.5f, 2.5f, 510.5f }));
        Assert.That(y.Skip(3).All(float.IsNaN), Is.True);
    }

    [Test]
    public void Mismatched_lengths_and_single_input_models_are_refused()
    {
        using var session = OnnxSession.Open(Graph());
        Assert.That(() => session.RunInto(new byte[5], [2, 3], new float[2], [2, 1], new float[6]), Throws.ArgumentException.With.Message.Contains("needs 6"));
        Assert.That(() => session.RunInto(new byte[6], [2, 3], new float[2], [2, 1], new float[5]), Throws.ArgumentException);

        var g = new OnnxGraphBuilder("one_input");
        g.Output(g.Relu(g.Input("x", OnnxElementType.Float, -1, 3)), "y", OnnxElementType.Float, -1, 3);
        using var one = OnnxSession.Open(g.ToBytes());
        Assert.That(() => one.RunInto(new byte[3], [1, 3], new float[1], [1, 1], new float[3]), Throws.InvalidOperationException.With.Message.Contains("two inputs"));
    }
}
