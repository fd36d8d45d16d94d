using System.Runtime.InteropServices;

namespace MoCo.Training.Native;

/// <summary>
/// Which libtorch TorchSharp runs on. By default the one beside TorchSharp (the TorchSharp-cpu or -cuda packages copy
/// it there). A build published with <c>-p:TorchSharpBackend=external</c> carries only TorchSharp's own
/// <c>libLibTorchSharp.so</c>; <c>MOCO_LIBTORCH</c> then names a libtorch <c>lib/</c> folder found at run time, such as
/// a PyTorch install's <c>torch/lib</c>, CUDA build included (docs/gpu.md).
/// </summary>
/// <remarks>
/// TorchSharp loads <c>libtorch_cuda</c> by name when its <c>torch</c> class initialises and then
/// <c>libLibTorchSharp.so</c>, whose needs (<c>libtorch.so</c>, <c>libc10.so</c>, <c>libtorch_cpu.so</c>) the loader
/// matches by soname against libraries already in the process. So loading the folder's libraries by path before
/// TorchSharp is first used makes TorchSharp bind to them, with CUDA where the folder has <c>libtorch_cuda.so</c>
/// (its static initialiser registers libtorch's CUDA hooks). Each library finds its own dependencies (cuDNN, cuBLAS:
/// a PyTorch wheel's RUNPATH names its nvidia-* packages). Two libtorch in one process share nothing and corrupt each
/// other, so the variable is refused in a build that carries its own.
/// </remarks>
internal static class LibTorchLocation
{
    /// <summary>The environment variable that names the libtorch folder.</summary>
    internal const string Variable = "MOCO_LIBTORCH";

    /// <summary>Load order: each library's libtorch dependencies come before it.</summary>
    internal static readonly IReadOnlyList<string> Libraries = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>Where TorchSharp's assembly (and, in a default build, libtorch) lies; reading it does not initialise TorchSharp.</summary>
    internal static string TorchSharpFolder => Path.GetDirectoryName(typeof(torch).Assembly.Location) is { Length: > 0 } folder ? folder : AppContext.BaseDirectory;

    /// <summary>The folder itself when it holds a libtorch (libtorch_cpu.so), else null.</summary>
    internal static string? BundledFolder(string torchSharpFolder) =>
        File.Exists(Path.Combine(torchSharpFolder, "libtorch_cpu.so")) ? torchSharpFolder : null;

    /// <summary>Loads the libtorch named by <see cref="Variable"/>, if set, before TorchSharp is first used.</summary>
    /// <returns>The libraries loaded, in order (none when the variable is unset or names the bundled libtorch).</returns>
    internal static IReadOnlyList<string> UseFromEnvironment() => Use(Environment.GetEnvironmentVariable(Variable), TorchSharpFolder);

    /// <summary>Loads the libtorch in <paramref name="folder"/> (null or empty: nothing to do).</summary>
    /// <exception cref="InvalidOperationException">the build carries another libtorch beside TorchSharp.</exception>
    /// <exception cref="DirectoryNotFoundException">no such folder.</exception>
    /// <exception cref="FileNotFoundException">the folder lacks one of libc10, libtorch_cpu, libtorch.</exception>
    /// <exception cref="DllNotFoundException">a library did not load (the loader's reason, e.g. a missing libcudnn, is in the message).</exception>
    internal static IReadOnlyList<string> Use(string? folder, string torchSharpFolder)
    {
        if (string.IsNullOrWhiteSpace(folder)) return [];
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException($"{Variable} is read on Linux only (it names libtorch's .so files)");
        string full = Path.GetFullPath(folder);
        if (BundledFolder(torchSharpFolder) is { } bundled)
        {
            if (SameFolder(full, bundled)) return [];
            throw new InvalidOperationException(
                $"{Variable} names {full}, but this build carries its own libtorch beside TorchSharp ({bundled}); two libtorch in one " +
                $"process do not mix. Unset {Variable}, or publish with -p:TorchSharpBackend=external (docs/gpu.md).");
        }

        var order = LoadOrder(full);
        foreach (string path in order)
        {
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException($"{Variable}={full}: {Path.GetFileName(path)} did not load: {e.Message}", e);
            }
        }

        return order;
    }

    /// <summary>The folder's libtorch libraries in load order; the CUDA ones only where present.</summary>
    internal static IReadOnlyList<string> LoadOrder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{Variable}: {folder} is not a folder");
        var missing = Required.Where(name => !File.Exists(Path.Combine(folder, name))).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException($"{Variable}: {folder} is not a libtorch lib folder: it has no {string.Join(", ", missing)} " +
                                            "(a PyTorch install's is python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), \"lib\"))')");
        return Libraries.Select(name => Path.Combine(folder, name)).Where(File.Exists).ToArray();
    }

    /// <summary>The path of the loaded library of that file name (from /proc/self/maps), or null when none is loaded or this is not Linux.</summary>
    internal static string? Loaded(string fileName)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps")) return null;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && line.EndsWith("/" + fileName, StringComparison.Ordinal)) return line[slash..];
        }

        return null;
    }

    /// <summary>The version recorded beside a libtorch lib folder: a PyTorch install's torch/version.py, or the libtorch
    /// archive's build-version file; null when neither is there.</summary>
    internal static string? VersionBeside(string libFolder)
    {
        string parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(libFolder)) ?? libFolder;
        string python = Path.Combine(parent, "version.py");
        if (File.Exists(python))
        {
            foreach (string line in File.ReadLines(python))
                if (line.StartsWith("__version__", StringComparison.Ordinal) && line.Split('\'', '"') is { Length: >= 2 } parts) return parts[1];
        }

        string archive = Path.Combine(parent, "build-version");
        return File.Exists(archive) ? File.ReadAllText(archive).Trim() : null;
    }

    /// <summary>One line on the libtorch in this process: its file and, where recorded, its version (call after TorchSharp loaded it).</summary>
    internal static string Describe()
    {
        string? cpu = Loaded("libtorch_cpu.so");
        if (cpu is null) return "libtorch: not loaded yet";
        string? version = VersionBeside(Path.GetDirectoryName(cpu)!);
        string? cudaLib = Loaded("libtorch_cuda.so");
        return $"libtorch {version ?? "(version not recorded)"} from {Path.GetDirectoryName(cpu)}, " +
               (cudaLib is null ? "CPU only (no libtorch_cuda.so loaded)" : "with libtorch_cuda.so");
    }

    /// <summary>Why libtorch sees no CUDA device, for the error of a CUDA request.</summary>
    internal static string NoCudaReason() => Loaded("libtorch_cuda.so") is { } cudaLib
        ? $"libtorch_cuda ({cudaLib}) is loaded but finds no CUDA device (no GPU or no driver here: nvidia-smi says which)"
        : "this libtorch has no CUDA (libtorch_cuda.so is not loaded: TorchSharp-cpu's libtorch is CPU-only). Build with " +
          $"-p:TorchSharpBackend=cuda, or publish with -p:TorchSharpBackend=external and set {Variable} to a CUDA PyTorch's torch/lib (docs/gpu.md)";

    /// <summary>The message for TorchSharp failing to initialise (its <c>torch</c> type initialiser threw).</summary>
    internal static string ExplainLoadFailure(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var inner = failure is TypeInitializationException { InnerException: { } cause } ? cause : failure;
        string first = inner.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? inner.GetType().Name;
        string hint = BundledFolder(TorchSharpFolder) is not null
            ? "libtorch is beside TorchSharp, so one of its own dependencies is missing (docs/native-dependencies.md)"
            : string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable))
                ? $"this moco was published without libtorch (-p:TorchSharpBackend=external): set {Variable} to a libtorch lib folder, " +
                  "such as a PyTorch install's torch/lib (docs/gpu.md)"
                : $"{Variable} is {Environment.GetEnvironmentVariable(Variable)}, whose libtorch TorchSharp could not bind to (docs/gpu.md)";
        return $"TorchSharp could not load libtorch: {first} — {hint}";
    }

    private static bool SameFolder(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
