using System.Diagnostics;

namespace MoCo.Cli.Tests;

/// <summary>
/// `moco` without libtorch beside TorchSharp (what <c>-p:TorchSharpBackend=external</c> publishes) runs on the libtorch
/// that MOCO_LIBTORCH names, and says what to do when it names none. The stand-in for the external build is the built
/// moco's folder without libtorch's files; the libtorch it is pointed at is the built folder's own (TorchSharp-cpu's):
/// on a GPU machine the same variable names a CUDA PyTorch's torch/lib (test/gpu/run-on-device.sh).
/// </summary>
public class LibTorchFolderTests
{
    private string built = "";
    private string app = "";

    [OneTimeSetUp]
    public void CopyMocoWithoutLibTorch()
    {
        var testBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = Path.GetFileName(Path.GetDirectoryName(testBin)!);
        built = Path.GetFullPath(Path.Combine(testBin, "../../../../../src/MoCo.Cli/bin", configuration, "net10.0"));
        Assert.That(File.Exists(Path.Combine(built, "moco.dll")), Is.True, $"moco not built in {built}");
        Assert.That(File.Exists(Path.Combine(built, "libtorch_cpu.so")), Is.True, "the default build carries TorchSharp-cpu's libtorch");
        app = Directory.CreateTempSubdirectory("moco-no-libtorch-").FullName;
        foreach (string file in Directory.EnumerateFiles(built, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(built, file);
            if (IsLibTorch(Path.GetFileName(file))) continue;
            string target = Path.Combine(app, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(app, recursive: true);

    // The libtorch-cpu-linux-x64 package's files; TorchSharp's own libLibTorchSharp.so stays.
    private static bool IsLibTorch(string name) =>
        name != "libLibTorchSharp.so" && new[] { "libtorch", "libc10", "libgomp", "libshm", "libjitbackend", "libbackend_with_compiler", "libnnapi", "libaoti" }
            .Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    private (int ExitCode, string Output) Moco(string? libtorch, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(app, "moco.dll"));
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("LD_LIBRARY_PATH");
        // Where TorchSharp finds no libtorch it copies one out of the NuGet cache into the app's folder (478 MB), as on
        // a machine without the cache (a GPU machine, say) it cannot: point it at no cache.
        info.Environment["NUGET_PACKAGES"] = Path.Combine(app, "no-nuget-cache");
        if (libtorch is null) info.Environment.Remove("MOCO_LIBTORCH");
        else info.Environment["MOCO_LIBTORCH"] = libtorch;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"moco {string.Join(' ', args)} did not finish in 3 minutes");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Test]
    public void Moco_trains_on_the_libtorch_that_MOCO_LIBTORCH_names()
    {
        Assert.That(File.Exists(Path.Combine(app, "libtorch_cpu.so")), Is.False);
        var (code, output) = Moco(built, "smoke", "--steps", "60", "--threads", "1");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain($"from {built}, CPU only").And.Contain("smoke: OK"));
    }

    [Test]
    public void Without_MOCO_LIBTORCH_it_says_to_set_it()
    {
        var (code, output) = Moco(null, "smoke", "--steps", "1");
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("error: TorchSharp could not load libtorch: ").And.Contain("set MOCO_LIBTORCH"));
    }

    [Test]
    public void A_cuda_request_on_a_cpu_libtorch_says_why()
    {
        var (code, output) = Moco(built, "smoke", "--steps", "1", "--device", "cuda");
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("sees 0 CUDA device(s): this libtorch has no CUDA (libtorch_cuda.so is not loaded"));
    }
}
