using MoCo.Onnx.Tests.Support;

namespace MoCo.Onnx.Tests;

/// <summary>Bad files and bad inputs fail with .NET exceptions that carry ORT's message.</summary>
public class OnnxSessionErrorTests
{
    private static string Fixture(string name) => Path.Combine(TorchModels.SmallResNetDir, name);

    [Test]
    public void MissingFile_ThrowsFileNotFound_NamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N") + ".onnx");
        var e = Assert.Throws<FileNotFoundException>(() => OnnxSession.Open(path));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [Test]
    public void TruncatedFile_ThrowsOnnxRuntimeException_WithOrtMessage()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Fixture("model.onnx"));
        var path = dir.File("truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(path));
        Assert.That(e!.OrtMessage, Is.Not.Empty);
        Assert.That(e.Message, Does.Contain(e.OrtMessage).And.Contain("CreateSession"));
    }

    [Test]
    public void RandomBytes_ThrowOnnxRuntimeException_InvalidProtobuf()
    {
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        var e = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(bytes));
        Assert.That(e!.Code, Is.EqualTo(OnnxErrorCode.InvalidProtobuf).Or.EqualTo(OnnxErrorCode.Fail).Or.EqualTo(OnnxErrorCode.InvalidGraph));
        Assert.That(e.OrtMessage, Is.Not.Empty);
    }

    [Test]
    public void EmptyBytes_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => OnnxSession.Open(ReadOnlySpan<byte>.Empty));
    }

    [Test]
    public void WrongInputShape_ThrowsWithOrtMessage_AndSessionStillWorks()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        var e = Assert.Throws<OnnxRuntimeException>(() => session.Run(new float[2 * 3 * 8 * 8], [2, 3, 8, 8]));
        Assert.That(e!.OrtMessage, Does.Contain("dimensions").IgnoreCase);

        var output = session.Run(PythonReference.ReadFloats(Fixture("in_1.bin")), [1, 3, 16, 16]);
        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(Fixture("out_1.bin"))), Is.LessThan(1e-4f));
    }

    [Test]
    public void ShapeNotMatchingData_ThrowsArgumentException_BeforeOrt()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        var e = Assert.Throws<ArgumentException>(() => session.Run(new float[100], [1, 3, 16, 16]));
        Assert.That(e!.Message, Does.Contain("768").And.Contain("100"));
    }

    [Test]
    public void WrongDtype_ThrowsWithOrtMessage()
    {
        using var session = OnnxSession.Open(Fixture("model.onnx"));
        var e = Assert.Throws<OnnxRuntimeException>(() => session.Run(new byte[3 * 16 * 16], [1, 3, 16, 16]));
        Assert.That(e!.OrtMessage, Does.Contain("float").IgnoreCase);
    }

}
