using System.Reflection;
using System.Runtime.InteropServices;

namespace MoCo.Training.Native;

/// <summary>
/// libtorch's process-wide kernel switches that TorchSharp 0.107 does not bind (its
/// <c>torch.use_deterministic_algorithms</c> throws NotImplementedException; <c>backends.cudnn</c> has only allow_tf32):
/// deterministic algorithms, cuDNN's deterministic mode and cuDNN autotuning. They are members of <c>at::Context</c>,
/// exported by the libtorch_cpu that TorchSharp loaded, and reached here by their mangled names (Itanium on Linux and
/// macOS, MSVC on Windows); a missing export fails with a message naming it.
/// </summary>
internal static unsafe class LibTorchContext
{
    private static readonly Lazy<IntPtr> Library = new(LoadTorchCpu);

    /// <summary>at::globalContext().setDeterministicAlgorithms(on, warn_only: false).</summary>
    internal static void SetDeterministicAlgorithms(bool on) =>
        ((delegate* unmanaged<IntPtr, byte, byte, void>)Export("_ZN2at7Context26setDeterministicAlgorithmsEbb", "?setDeterministicAlgorithms@Context@at@@QEAAX_N0@Z"))(
            GlobalContext(), on ? (byte)1 : (byte)0, 0);

    /// <summary>at::globalContext().setDeterministicFillUninitializedMemory(on)
    /// (torch.utils.deterministic.fill_uninitialized_memory): with deterministic algorithms on, libtorch 2.x fills every
    /// new uninitialised tensor with NaN, a debugging aid that costs a memory pass per allocation.</summary>
    internal static void SetDeterministicFillUninitializedMemory(bool on) =>
        ((delegate* unmanaged<IntPtr, byte, void>)Export("_ZN2at7Context39setDeterministicFillUninitializedMemoryEb", "?setDeterministicFillUninitializedMemory@Context@at@@QEAAX_N@Z"))(
            GlobalContext(), on ? (byte)1 : (byte)0);

    /// <summary>at::globalContext().setDeterministicCuDNN(on) (torch.backends.cudnn.deterministic).</summary>
    internal static void SetDeterministicCuDnn(bool on) =>
        ((delegate* unmanaged<IntPtr, byte, void>)Export("_ZN2at7Context21setDeterministicCuDNNEb", "?setDeterministicCuDNN@Context@at@@QEAAX_N@Z"))(
            GlobalContext(), on ? (byte)1 : (byte)0);

    /// <summary>at::globalContext().setBenchmarkCuDNN(on) (torch.backends.cudnn.benchmark).</summary>
    internal static void SetBenchmarkCuDnn(bool on) =>
        ((delegate* unmanaged<IntPtr, byte, void>)Export("_ZN2at7Context17setBenchmarkCuDNNEb", "?setBenchmarkCuDNN@Context@at@@QEAAX_N@Z"))(
            GlobalContext(), on ? (byte)1 : (byte)0);

    private static IntPtr GlobalContext() =>
        ((delegate* unmanaged<IntPtr>)Export("_ZN2at13globalContextEv", "?globalContext@at@@YAAEAVContext@1@XZ"))();

    private static IntPtr Export(string itanium, string msvc)
    {
        string name = OperatingSystem.IsWindows() ? msvc : itanium;
        if (NativeLibrary.TryGetExport(Library.Value, name, out IntPtr address)) return address;
        throw new NotSupportedException($"this libtorch does not export {name} (at::Context), which TorchSharp leaves unbound");
    }

    private static IntPtr LoadTorchCpu()
    {
        torch.InitializeDeviceType(DeviceType.CPU);   // TorchSharp loads libtorch_cpu (and its dependencies) first
        string file = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        Assembly torchSharp = typeof(torch).Assembly;
        string beside = Path.Combine(Path.GetDirectoryName(torchSharp.Location) ?? "", file);
        if (NativeLibrary.TryLoad(beside, out IntPtr handle)) return handle;
        if (NativeLibrary.TryLoad(file, torchSharp, null, out handle)) return handle;
        throw new DllNotFoundException($"libtorch_cpu was not found beside TorchSharp ({beside}) nor on the library path");
    }
}
