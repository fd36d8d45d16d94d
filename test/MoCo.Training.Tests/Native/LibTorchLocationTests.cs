using MoCo.Training.Native;

namespace MoCo.Training.Tests.Native;

/// <summary>MOCO_LIBTORCH: which libtorch TorchSharp runs on. These run in a process whose libtorch is the bundled one
/// (TorchSharp-cpu's, beside TorchSharp), so nothing here loads a second libtorch; MoCo.Cli.Tests' LibTorchFolderTests
/// runs `moco` published without libtorch against a libtorch named by the variable.</summary>
public class LibTorchLocationTests
{
    private string dir = "";

    [SetUp]
    public void CreateFolder() => dir = Directory.CreateTempSubdirectory("moco-libtorch-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(dir, recursive: true);

    private string Folder(params string[] files)
    {
        string folder = Directory.CreateDirectory(Path.Combine(dir, $"lib{Directory.GetDirectories(dir).Length}")).FullName;
        foreach (string file in files) File.WriteAllText(Path.Combine(folder, file), "not an ELF file");
        return folder;
    }

    [Test]
    public void Unset_or_empty_loads_nothing()
    {
        Assert.That(LibTorchLocation.Use(null, dir), Is.Empty);
        Assert.That(LibTorchLocation.Use("  ", dir), Is.Empty);
    }

    [Test]
    public void The_load_order_puts_each_library_after_its_libtorch_dependencies_and_takes_cuda_only_where_present()
    {
        string cuda = Folder("libtorch.so", "libtorch_cuda.so", "libc10_cuda.so", "libtorch_cpu.so", "libc10.so", "libshm.so");
        Assert.That(LibTorchLocation.LoadOrder(cuda).Select(Path.GetFileName),
            Is.EqualTo(new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" }));
        string cpu = Folder("libtorch.so", "libtorch_cpu.so", "libc10.so");
        Assert.That(LibTorchLocation.LoadOrder(cpu).Select(Path.GetFileName), Is.EqualTo(new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" }));
        Assert.That(LibTorchLocation.LoadOrder(cpu), Has.All.StartsWith(cpu + "/"));
    }

    [Test]
    public void A_folder_that_is_not_libtorch_is_refused_naming_what_it_lacks()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => LibTorchLocation.LoadOrder(Folder("libc10.so")))!;
        Assert.That(missing.Message, Does.Contain("libtorch_cpu.so, libtorch.so").And.Contain("torch.__file__"));
        var none = Assert.Throws<DirectoryNotFoundException>(() => LibTorchLocation.Use(Path.Combine(dir, "absent"), dir))!;
        Assert.That(none.Message, Does.Contain(LibTorchLocation.Variable).And.Contain("absent"));
    }

    [Test]
    public void A_library_that_does_not_load_is_named_with_the_loaders_reason()
    {
        string folder = Folder("libtorch.so", "libtorch_cpu.so", "libc10.so");
        var e = Assert.Throws<DllNotFoundException>(() => LibTorchLocation.Use(folder, torchSharpFolder: dir))!;
        // glibc's reason for a file that is not a shared object: "invalid ELF header" or "file too short".
        Assert.That(e.Message, Does.StartWith($"MOCO_LIBTORCH={folder}: libc10.so did not load: ")
            .And.Match("invalid ELF header|file too short"));
    }

    [Test]
    public void A_build_that_carries_its_own_libtorch_refuses_another_and_accepts_its_own()
    {
        string bundled = LibTorchLocation.TorchSharpFolder;
        Assume.That(LibTorchLocation.BundledFolder(bundled), Is.Not.Null, "this test project is built with TorchSharp-cpu's libtorch beside TorchSharp");
        var e = Assert.Throws<InvalidOperationException>(() => LibTorchLocation.Use(Folder("libtorch.so", "libtorch_cpu.so", "libc10.so"), bundled))!;
        Assert.That(e.Message, Does.Contain(bundled).And.Contain("-p:TorchSharpBackend=external"));
        Assert.That(LibTorchLocation.Use(bundled + "/", bundled), Is.Empty);
    }

    [Test]
    public void The_loaded_libtorch_is_found_in_the_process_and_described()
    {
        _ = torch.zeros(1);   // TorchSharp has loaded its libtorch
        string? cpu = LibTorchLocation.Loaded("libtorch_cpu.so");
        Assert.That(cpu, Is.EqualTo(Path.Combine(LibTorchLocation.TorchSharpFolder, "libtorch_cpu.so")));
        Assert.That(LibTorchLocation.Loaded("libtorch_cuda.so"), Is.Null, "TorchSharp-cpu's libtorch has no CUDA library");
        Assert.That(LibTorchLocation.Describe(), Does.Contain($"from {LibTorchLocation.TorchSharpFolder}, CPU only"));
        Assert.That(LibTorchLocation.NoCudaReason(), Does.Contain("libtorch_cuda.so is not loaded").And.Contain(LibTorchLocation.Variable));
    }

    [Test]
    public void The_version_is_read_from_a_pytorch_install_or_a_libtorch_archive()
    {
        string torchPackage = Directory.CreateDirectory(Path.Combine(dir, "torch", "lib")).Parent!.FullName;
        File.WriteAllText(Path.Combine(torchPackage, "version.py"), "from typing import Optional\n__version__ = '2.11.0+cu130'\ncuda: Optional[str] = '13.0'\n");
        Assert.That(LibTorchLocation.VersionBeside(Path.Combine(torchPackage, "lib")), Is.EqualTo("2.11.0+cu130"));
        string archive = Directory.CreateDirectory(Path.Combine(dir, "libtorch", "lib")).Parent!.FullName;
        File.WriteAllText(Path.Combine(archive, "build-version"), "2.10.0+cpu\n");
        Assert.That(LibTorchLocation.VersionBeside(Path.Combine(archive, "lib") + "/"), Is.EqualTo("2.10.0+cpu"));
        Assert.That(LibTorchLocation.VersionBeside(dir), Is.Null);
    }

    [Test]
    public void A_torchsharp_load_failure_is_explained_with_its_first_line()
    {
        var failure = new TypeInitializationException("TorchSharp.torch", new NotSupportedException("The libtorch-cuda-12.8-linux-x64 package is not restored.\nTrace: …"));
        string message = LibTorchLocation.ExplainLoadFailure(failure);
        Assert.That(message, Does.StartWith("TorchSharp could not load libtorch: The libtorch-cuda-12.8-linux-x64 package is not restored."));
        Assert.That(message, Does.Not.Contain("Trace"));
    }
}
