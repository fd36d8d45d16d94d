namespace MoCo.Onnx.Tests;

/// <summary>The official package's failures become ours, with ORT's code and message unchanged.</summary>
public class OrtErrorsTests
{
    [TestCase("[ErrorCode:InvalidProtobuf] Failed to load model because protobuf parsing failed.", OnnxErrorCode.InvalidProtobuf, "Failed to load model because protobuf parsing failed.")]
    [TestCase("[ErrorCode:InvalidArgument] Got invalid dimensions for input: image", OnnxErrorCode.InvalidArgument, "Got invalid dimensions for input: image")]
    [TestCase("[ErrorCode:ShapeInferenceNotRegistered] provider failed", OnnxErrorCode.ExecutionProviderFailure, "provider failed")] // C API value 11 is ORT_EP_FAIL
    [TestCase("[ErrorCode:14] not found", OnnxErrorCode.NotFound, "not found")]
    [TestCase("no prefix at all", OnnxErrorCode.Fail, "no prefix at all")]
    public void Parse_ReadsCodeAndMessage(string message, OnnxErrorCode code, string text)
    {
        Assert.That(OrtErrors.Parse(message), Is.EqualTo((code, text)));
    }

    [Test]
    public void NativeLibraryMissing_NamesThePackagesAndKeepsTheLoadersMessage()
    {
        var load = new DllNotFoundException("Unable to load shared library 'onnxruntime' or one of its dependencies.");
        var e = OrtErrors.NativeLibraryMissing(new TypeInitializationException("Microsoft.ML.OnnxRuntime.NativeMethods", load));

        Assert.That(e, Is.Not.Null);
        Assert.That(e!.Message, Does.Contain(load.Message).And.Contain("Microsoft.ML.OnnxRuntime").And.Contain("MoCoOnnxGpu"));
        Assert.That(OrtErrors.NativeLibraryMissing(new InvalidOperationException("other")), Is.Null);
    }

    [Test]
    public void OpenFailure_CarriesOrtsMessage_AndTheOfficialExceptionInside()
    {
        var bytes = new byte[64];
        var e = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(bytes));
        Assert.That(e!.InnerException, Is.TypeOf<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>());
        Assert.That(e.InnerException!.Message, Does.EndWith(e.OrtMessage));
        Assert.That(e.Message, Does.StartWith("ONNX Runtime CreateSession failed (" + e.Code + "): "));
    }
}

/// <summary>The loader's reason when ORT's CUDA provider library cannot be loaded.</summary>
public class CudaProviderLibraryTests
{
    [Test]
    public void DlOpenError_NamesTheMissingFile_OrAMissingDependency()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N") + ".so");
        Assert.That(CudaProviderLibrary.DlOpenError(missing), Does.Contain(missing).And.Contain("No such file"));

        var notElf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notElf, "not a library");
            Assert.That(CudaProviderLibrary.DlOpenError(notElf), Does.Contain(notElf));
        }
        finally
        {
            File.Delete(notElf);
        }
    }

    [Test]
    public void DlOpenError_IsNull_ForALibraryThatLoads()
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so");
        Assert.That(CudaProviderLibrary.DlOpenError(library), Is.Null);
    }
}
