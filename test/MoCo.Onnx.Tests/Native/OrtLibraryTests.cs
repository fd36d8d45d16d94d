using MoCo.Onnx.Native;

namespace MoCo.Onnx.Tests.Native;

public class OrtLibraryTests
{
    [Test]
    public void ProbePaths_StartNextToTheAssemblies_WhereMsBuildCopiesTheLibrary()
    {
        var expected = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so.1");
        Assert.That(OrtLibrary.ProbePaths(), Does.Contain(expected));
        Assert.That(File.Exists(expected), Is.True, "build/fetch-onnxruntime.sh places it and MoCo.Onnx.csproj copies it");
    }
}
