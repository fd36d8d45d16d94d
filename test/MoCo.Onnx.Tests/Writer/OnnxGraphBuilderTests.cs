using MoCo.Onnx.Tests.Support;
using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Tests.Writer;

/// <summary>Graphs written by our builder, run by ONNX Runtime through our binding, against PyTorch on the same weights.</summary>
public class OnnxGraphBuilderTests
{
    private ResidualNetFixture _net = null!;
    private string _checkerOutput = "";

    [OneTimeSetUp]
    public void WriteModelsAndComputeReference()
    {
        _net = new ResidualNetFixture();
        _net.Build().Save(_net.File("plain.onnx"));
        _net.Build(normalize: true).Save(_net.File("norm.onnx"));
        _net.Build(uint8Input: true).Save(_net.File("u8.onnx"));
        _checkerOutput = _net.RunReference("plain.onnx", "norm.onnx", "u8.onnx");
    }

    [OneTimeTearDown]
    public void CleanUp() => _net.Dispose();

    [TestCase(1)]
    [TestCase(37)]
    public void ResidualNet_MatchesPyTorch(int batch)
    {
        using var session = OnnxSession.Open(_net.File("plain.onnx"));
        var output = session.Run(PythonReference.ReadFloats(_net.File($"in_{batch}.bin")), [batch, 3, 16, 16]);

        Assert.That(output.Shape, Is.EqualTo(new long[] { batch, 10 }));
        // Reference: torch.nn.functional on the same weights; float32 summation order only.
        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(_net.File($"out_{batch}.bin"))), Is.LessThan(1e-4f));
    }

    [TestCase(1)]
    [TestCase(37)]
    public void L2Normalized_MatchesFNormalize_AndRowsHaveUnitNorm(int batch)
    {
        using var session = OnnxSession.Open(_net.File("norm.onnx"));
        var output = session.Run(PythonReference.ReadFloats(_net.File($"in_{batch}.bin")), [batch, 3, 16, 16]);

        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(_net.File($"out_norm_{batch}.bin"))), Is.LessThan(1e-5f));
        for (var n = 0; n < batch; n++)
        {
            var row = output.Values.AsSpan(n * 10, 10);
            var norm = Math.Sqrt(row.ToArray().Sum(v => (double)v * v));
            Assert.That(norm, Is.EqualTo(1.0).Within(1e-5), $"row {n}");
        }
    }

    [TestCase(1)]
    [TestCase(37)]
    public void Uint8NhwcPreprocessingInTheGraph_MatchesTorchvisionNormalize(int batch)
    {
        using var session = OnnxSession.Open(_net.File("u8.onnx"));
        Assert.That(session.Inputs[0].ElementType, Is.EqualTo(OnnxElementType.UInt8));
        var output = session.Run(File.ReadAllBytes(_net.File($"in_u8_{batch}.bin")), [batch, 16, 16, 3]);

        // Reference: (x/255 − mean)/std in PyTorch; ours folds it into one Mul and one Sub, so allow rounding.
        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(_net.File($"out_u8_{batch}.bin"))), Is.LessThan(1e-4f));
    }

    [Test]
    public void WrittenFiles_PassOnnxFullCheck()
    {
        Assert.That(_checkerOutput, Does.Contain("checked plain.onnx").And.Contain("checked norm.onnx").And.Contain("checked u8.onnx"));
    }

    [Test]
    public void MetadataAndProducer_RoundTripThroughOnnxRuntime()
    {
        var properties = new OnnxModelProperties
        {
            ProducerName = "moco-test",
            ProducerVersion = "9.9",
            ModelVersion = 3,
            Description = "tiny residual net",
            Metadata = new Dictionary<string, string> { ["moco.mean"] = "0.485,0.456,0.406", ["moco.layout"] = "nchw_float", ["empty"] = "" },
        };
        using var session = OnnxSession.Open(_net.Build().ToBytes(properties));

        Assert.That(session.Metadata.ProducerName, Is.EqualTo("moco-test"));
        Assert.That(session.Metadata.Version, Is.EqualTo(3));
        Assert.That(session.Metadata.Description, Is.EqualTo("tiny residual net"));
        Assert.That(session.Metadata.GraphName, Is.EqualTo("residual_net"));
        Assert.That(session.Metadata.Custom, Is.EquivalentTo(properties.Metadata));
        Assert.That(session.Inputs[0].Shape, Is.EqualTo(new long[] { -1, 3, 16, 16 }));
        Assert.That(session.Inputs[0].SymbolicDimensions[0], Is.EqualTo(OnnxGraphBuilder.DynamicDimension));
        Assert.That(session.Outputs[0].Name, Is.EqualTo("features"));
    }

    [Test]
    public void UnknownInputValue_IsRefused_NamingIt()
    {
        var g = new OnnxGraphBuilder("g");
        g.Input("x", OnnxElementType.Float, -1, 4);
        var e = Assert.Throws<ArgumentException>(() => g.Relu("y"));
        Assert.That(e!.Message, Does.Contain("'y'"));
    }

    [Test]
    public void DuplicateName_IsRefused()
    {
        var g = new OnnxGraphBuilder("g");
        g.Input("x", OnnxElementType.Float, -1, 4);
        Assert.Throws<ArgumentException>(() => g.Initializer("x", [1f, 2f, 3f, 4f], 4));
    }

    [Test]
    public void InitializerShapeMismatch_IsRefused_WithBothCounts()
    {
        var g = new OnnxGraphBuilder("g");
        var e = Assert.Throws<ArgumentException>(() => g.Initializer("w", new float[6], 2, 4));
        Assert.That(e!.Message, Does.Contain("6").And.Contain("8"));
    }

    [Test]
    public void GraphWithoutOutputs_IsNotWritten()
    {
        var g = new OnnxGraphBuilder("g");
        g.Relu(g.Input("x", OnnxElementType.Float, -1, 4));
        Assert.Throws<InvalidOperationException>(() => g.ToBytes());
    }

    [Test]
    public void ModelHeader_IsIrVersion8_Opset17()
    {
        var model = _net.Build().ToModel(null);
        Assert.That(model.IrVersion, Is.EqualTo(8));
        Assert.That(model.OpsetImport.Single().Version, Is.EqualTo(17));
        Assert.That(model.OpsetImport.Single().Domain, Is.Empty);
    }
}
