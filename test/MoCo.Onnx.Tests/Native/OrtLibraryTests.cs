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

public class OrtLibraryMissingTests
{
    [Test]
    public void NoLoadableLibrary_ThrowsNamingEveryPathAndTheSetUp()
    {
        var dir = Path.Combine(Path.GetTempPath(), "moco-ort-missing-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var missing = Path.Combine(dir, "libonnxruntime.so.1");
            var notALibrary = Path.Combine(dir, "not-a-library.so");
            File.WriteAllText(notALibrary, "this is text, not ELF");

            var e = Assert.Throws<OnnxRuntimeNotFoundException>(() => OrtLibrary.LoadFirst([missing, notALibrary]));

            Assert.That(e!.Message, Does.Contain(missing + ": not found"));
            Assert.That(e.Message, Does.Contain(notALibrary + ":"));
            Assert.That(e.Message, Does.Contain("build/setup.sh"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
