using MoCo.Onnx.Tests.Support;

namespace MoCo.Onnx.Tests;

/// <summary>
/// CUDA requests: where CUDA cannot run (this machine: no GPU; by default the CPU-only package) opening fails with a
/// message saying what is missing, unless FallbackToCpu is set, which runs on the CPU and says so.
/// </summary>
public class OnnxSessionProviderTests
{
    private static string Fixture(string name) => Path.Combine(TorchModels.SmallResNetDir, name);

    private static readonly OnnxSessionOptions Cuda = new() { ExecutionProvider = OnnxExecutionProvider.Cuda };

    private static bool CudaUsable()
    {
        try
        {
            using var session = OnnxSession.Open(Fixture("model.onnx"), Cuda);
            return true;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    [Test]
    public void CudaRequested_OnTheCpuOnlyPackage_ThrowsNotSupported_NamingTheProviderAndTheBuildProperty()
    {
        Assume.That(OnnxSession.AvailableProviders, Does.Not.Contain("CUDAExecutionProvider"),
            "this build uses the GPU package (-p:MoCoOnnxGpu=true); the next test covers it");

        var e = Assert.Throws<NotSupportedException>(() => OnnxSession.Open(Fixture("model.onnx"), Cuda));

        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("CUDA execution provider").And.Contain("CPUExecutionProvider")
            .And.Contain("Microsoft.ML.OnnxRuntime.Gpu.Linux").And.Contain("-p:MoCoOnnxGpu=true")
            .And.Contain("OnnxExecutionProvider.Cpu").And.Contain("FallbackToCpu"));
    }

    [Test]
    public void CudaRequested_OnTheGpuPackage_WithoutAUsableGpu_ThrowsNotSupported_WithOrtsReason()
    {
        Assume.That(OnnxSession.AvailableProviders, Does.Contain("CUDAExecutionProvider"),
            "this build uses the CPU-only package (build with -p:MoCoOnnxGpu=true to run this test)");
        Assume.That(CudaUsable(), Is.False, "CUDA works here: nothing to refuse");

        var e = Assert.Throws<NotSupportedException>(() => OnnxSession.Open(Fixture("model.onnx"), Cuda));

        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("CUDA execution provider").And.Contain("device 0").And.Contain("OnnxExecutionProvider.Cpu"));
    }

    [Test]
    public void FallbackToCpu_RunsOnTheCpu_SaysWhy_AndMatchesPyTorch()
    {
        Assume.That(CudaUsable(), Is.False, "CUDA works here: there is nothing to fall back from");
        var warnings = new List<string>();

        using var session = OnnxSession.Open(Fixture("model.onnx"), Cuda with { FallbackToCpu = true, Warn = warnings.Add });

        Assert.That(session.ExecutionProvider, Is.EqualTo(OnnxExecutionProvider.Cpu));
        Assert.That(session.FallbackReason, Does.Contain("CUDA"));
        Assert.That(warnings, Has.Count.EqualTo(1));
        Assert.That(warnings[0], Does.Contain("running on the CPU").And.Contain(session.FallbackReason));
        var output = session.Run(PythonReference.ReadFloats(Fixture("in_37.bin")), [37, 3, 16, 16]);
        Assert.That(PythonReference.MaxAbsDiff(output.Values, PythonReference.ReadFloats(Fixture("out_37.bin"))), Is.LessThan(1e-4f));
    }

    [Test]
    public void CpuRequested_WithFallbackSet_IsNoFallback()
    {
        var warnings = new List<string>();
        using var session = OnnxSession.Open(Fixture("model.onnx"), new OnnxSessionOptions { FallbackToCpu = true, Warn = warnings.Add });

        Assert.That(session.ExecutionProvider, Is.EqualTo(OnnxExecutionProvider.Cpu));
        Assert.That(session.FallbackReason, Is.Null);
        Assert.That(warnings, Is.Empty);
    }

    [Test]
    public void FallbackToCpu_DoesNotHideModelErrors()
    {
        var bytes = new byte[4096];
        new Random(5).NextBytes(bytes);
        Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(bytes, Cuda with { FallbackToCpu = true, Warn = _ => { } }));
    }

    [Test]
    public void NegativeThreadCountsOrDevice_ThrowBeforeOrt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSession.Open(Fixture("model.onnx"), new OnnxSessionOptions { IntraOpThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSession.Open(Fixture("model.onnx"), new OnnxSessionOptions { InterOpThreads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSession.Open(Fixture("model.onnx"), Cuda with { CudaDeviceId = -1 }));
    }
}
