using TorchSharp;
using MoCo.Training.Native;

namespace MoCo.Training.Trainer;

/// <summary>
/// The process-wide settings a training run depends on, in one place: libtorch's thread count, glibc's malloc settings
/// (<see cref="KeepFreedMemory"/>), and the kernel switches for the device kind (<see cref="Deterministic"/>). They hold
/// for the whole process, so a program sets them once, before its runs (the CLI does, from the run's config); a test
/// sets them as its run needs. A <see cref="PretrainRun"/> started without them in force applies
/// <see cref="For(PretrainConfig)"/> itself, so a library caller gets the kernels its config asks for.
/// </summary>
public sealed record TrainingEnvironment
{
    /// <summary>libtorch's intra-op threads (0, the default: left as libtorch chose).</summary>
    public int Threads { get; init; }
    /// <summary>The device kind the kernel switches are set for (default CPU; CUDA's cuDNN switches are set where
    /// libtorch sees a CUDA device).</summary>
    public DeviceType DeviceType { get; init; } = DeviceType.CPU;
    /// <summary>Deterministic kernels (default true). CPU: libtorch's deterministic algorithms (bit-exact resume),
    /// without filling each new tensor with NaN first (libtorch 2.x's debugging aid that comes with them: a memory pass
    /// per allocation, ~9% of a step). CUDA: libtorch's deterministic mode would refuse cuBLAS unless
    /// CUBLAS_WORKSPACE_CONFIG was set before the process started, so cuDNN's deterministic convolutions without
    /// autotuning instead; false lets cuDNN autotune per shape, as the official code's cudnn.benchmark = True.</summary>
    public bool Deterministic { get; init; } = true;
    /// <summary>glibc keeps freed memory for the next step instead of returning it to the system (default true;
    /// <see cref="CHeap"/> says why). Once on, it stays on for the process.</summary>
    public bool KeepFreedMemory { get; init; } = true;

    private static readonly object Gate = new();

    /// <summary>The settings last applied in this process (null before any).</summary>
    public static TrainingEnvironment? Current { get; private set; }

    /// <summary>What a run of <paramref name="config"/> needs: its threads, its device's kind, its determinism.</summary>
    public static TrainingEnvironment For(PretrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new()
        {
            Threads = config.Threads,
            DeviceType = Tensors.TensorExtensions.ParseDevice(config.Device).type,
            Deterministic = config.Deterministic,
        };
    }

    /// <summary>Sets these values for the whole process and records them as <see cref="Current"/>.</summary>
    public void Apply()
    {
        lock (Gate)
        {
            if (Threads > 0) torch.set_num_threads(Threads);
            if (KeepFreedMemory) CHeap.KeepFreedMemory();
            bool gpu = DeviceType == DeviceType.CUDA;
            LibTorchContext.SetDeterministicAlgorithms(Deterministic && !gpu);
            LibTorchContext.SetDeterministicFillUninitializedMemory(false);
            if (gpu && torch.cuda.is_available())
            {
                LibTorchContext.SetDeterministicCuDnn(Deterministic);
                LibTorchContext.SetBenchmarkCuDnn(!Deterministic);
            }
            Current = this;
        }
    }

    /// <summary>Applies what <paramref name="config"/> needs unless the settings in force already give it.</summary>
    internal static void EnsureFor(PretrainConfig config)
    {
        var needed = For(config);
        lock (Gate)
        {
            if (Current is { } current && current.Gives(needed)) return;
            needed.Apply();
        }
    }

    /// <summary>Whether these settings, in force, serve a run that needs <paramref name="needed"/>. The thread count is
    /// read from libtorch, since other code may change it.</summary>
    private bool Gives(TrainingEnvironment needed) =>
        Deterministic == needed.Deterministic && DeviceType == needed.DeviceType && (KeepFreedMemory || !needed.KeepFreedMemory)
        && (needed.Threads <= 0 || torch.get_num_threads() == needed.Threads);
}
