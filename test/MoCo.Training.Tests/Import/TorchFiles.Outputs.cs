using MoCo.Onnx;
using MoCo.Training.Serialization;

namespace MoCo.Training.Tests.Import;

/// <summary>Compares an exported model's outputs with PyTorch's forward, as Reference/torch_checkpoints.py's
/// <c>features</c> writes it (x, features, head); MoCo.Cli.Tests compiles this file in too.</summary>
internal static partial class TorchFiles
{
    /// <summary>How close ONNX Runtime's outputs must come to PyTorch's: the largest difference, relative to the largest
    /// magnitude of PyTorch's output (float32 sums in another order differ by far less; a wrong weight by far more).</summary>
    internal const double OutputTolerance = 1e-4;

    /// <summary>The ONNX model's output on the reference's <c>x</c> has the shape of the reference's <paramref name="name"/>
    /// and equals it to <see cref="OutputTolerance"/>.</summary>
    internal static void AssertSameOutputs(string onnx, SafeTensors.Contents reference, string name)
    {
        var (error, scale) = Difference(onnx, reference, name);
        Assert.That(error / scale, Is.LessThanOrEqualTo(OutputTolerance), $"{name}: largest difference {error} against largest magnitude {scale}");
    }

    /// <summary>The largest difference between the ONNX model's output on the reference's <c>x</c> and the reference's
    /// <paramref name="name"/> (after checking their shapes agree and every value is finite), and the reference's largest
    /// magnitude.</summary>
    internal static (double Error, double Scale) Difference(string onnx, SafeTensors.Contents reference, string name)
    {
        Tensor x = reference.Tensors["x"], want = reference.Tensors[name];
        OnnxTensor have;
        using (var session = OnnxSession.Open(onnx)) have = session.Run(x.data<float>().ToArray(), x.shape);
        Assert.That(have.Shape, Is.EqualTo(want.shape), name);
        float[] e = want.data<float>().ToArray();
        // Enumerable.Max passes over NaN, so a NaN output must fail here.
        Assert.That(e.All(float.IsFinite) && have.Values.All(float.IsFinite), Is.True, name + ": every output finite, PyTorch's and ONNX Runtime's");
        double scale = e.Max(v => Math.Abs(v)), error = e.Zip(have.Values, (a, b) => Math.Abs(a - b)).Max();
        Assert.That(scale, Is.GreaterThan(0), name + ": PyTorch's output is all zeros, which would compare with anything");
        return (error, scale);
    }
}
