using System.Runtime.InteropServices;
using MoCo.Torch.Native;

namespace MoCo.Torch;

public static partial class torch
{
    /// <summary>The libtorch version the shim was built against, e.g. "1.13.1".</summary>
    public static unsafe string version => Marshal.PtrToStringUTF8((IntPtr)NativeMethods.moco_torch_version()) ?? "unknown";

    /// <summary>Opens a scope that frees the tensors created in it when disposed (see <see cref="DisposeScope"/>).</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>Seeds libtorch's global generators (CPU and, where present, CUDA).</summary>
    public static void manual_seed(ulong seed) => TorchCheck.Status(NativeMethods.moco_manual_seed(seed));

    /// <summary>Sets the number of threads libtorch's intra-op parallelism uses.</summary>
    public static void set_num_threads(int threads) => TorchCheck.Status(NativeMethods.moco_set_num_threads(threads));

    /// <summary>The number of threads libtorch's intra-op parallelism uses.</summary>
    public static int get_num_threads() => TorchCheck.Status(NativeMethods.moco_get_num_threads());

    /// <summary>Makes libtorch pick deterministic algorithms (and fail where an operation has none).</summary>
    public static void use_deterministic_algorithms(bool enabled) => TorchCheck.Status(NativeMethods.moco_set_deterministic(enabled ? 1 : 0));

    /// <summary>Whether autograd records operations on this thread.</summary>
    public static bool is_grad_enabled()
    {
        int previous = TorchCheck.Status(NativeMethods.moco_grad_set_enabled(1));
        TorchCheck.Status(NativeMethods.moco_grad_set_enabled(previous));
        return previous != 0;
    }

    /// <summary>Turns autograd off on this thread until the returned scope is disposed:
    /// <code>using (torch.no_grad()) { ... }</code></summary>
    public static GradModeScope no_grad() => new(false);

    /// <summary>Turns autograd on (or off) on this thread until the returned scope is disposed.</summary>
    public static GradModeScope enable_grad(bool enabled = true) => new(enabled);

    /// <summary>CUDA queries.</summary>
    public static class cuda
    {
        /// <summary>The number of CUDA devices libtorch sees (0 with a CPU-only libtorch).</summary>
        public static int device_count() => TorchCheck.Status(NativeMethods.moco_cuda_device_count());

        /// <summary>Whether libtorch has CUDA and sees a device.</summary>
        public static bool is_available() => device_count() > 0;
    }

    /// <summary>cuDNN and cuBLAS switches, as torch.backends in Python (process-wide; no effect without CUDA).</summary>
    public static class backends
    {
        /// <summary>torch.backends.cudnn.</summary>
        public static class cudnn
        {
            /// <summary>Autotune convolution algorithms per input shape (faster for fixed shapes; libtorch's default: false).</summary>
            public static bool benchmark { get => Get(BackendFlag.CudnnBenchmark); set => Set(BackendFlag.CudnnBenchmark, value); }

            /// <summary>Only deterministic convolution algorithms (libtorch's default: false).</summary>
            public static bool deterministic { get => Get(BackendFlag.CudnnDeterministic); set => Set(BackendFlag.CudnnDeterministic, value); }

            /// <summary>Let convolutions use TF32 tensor cores: float32 data, 10-bit mantissa products (libtorch's default: true).</summary>
            public static bool allow_tf32 { get => Get(BackendFlag.CudnnAllowTf32); set => Set(BackendFlag.CudnnAllowTf32, value); }
        }

        /// <summary>torch.backends.cuda.</summary>
        public static class cuda
        {
            /// <summary>torch.backends.cuda.matmul.</summary>
            public static class matmul
            {
                /// <summary>Let float32 matrix products use TF32 tensor cores (libtorch's default: false).</summary>
                public static bool allow_tf32 { get => Get(BackendFlag.CublasAllowTf32); set => Set(BackendFlag.CublasAllowTf32, value); }
            }
        }

        private static bool Get(BackendFlag flag) => TorchCheck.Status(NativeMethods.moco_backend_flag((int)flag, -1)) != 0;

        private static void Set(BackendFlag flag, bool value) => TorchCheck.Status(NativeMethods.moco_backend_flag((int)flag, value ? 1 : 0));

        // moco_backend_flag_id in native/src/moco_torch.h.
        private enum BackendFlag { CudnnBenchmark = 0, CudnnDeterministic = 1, CudnnAllowTf32 = 2, CublasAllowTf32 = 3 }
    }

    /// <summary>The global CPU generator's state, for checkpoints.</summary>
    public static class random
    {
        /// <summary>A copy of the CPU generator's state (a Byte tensor).</summary>
        public static Tensor get_rng_state() => new(TorchCheck.Handle(NativeMethods.moco_rng_get_state()));

        /// <summary>Restores a state returned by <see cref="get_rng_state"/>.</summary>
        public static void set_rng_state(Tensor state)
        {
            ArgumentNullException.ThrowIfNull(state);
            TorchCheck.Status(NativeMethods.moco_rng_set_state(state.Handle));
        }
    }
}

/// <summary>Restores the thread's previous grad mode when disposed; see <see cref="torch.no_grad"/>.</summary>
public sealed class GradModeScope : IDisposable
{
    private readonly int previous;
    private bool disposed;

    internal GradModeScope(bool enabled) => previous = TorchCheck.Status(NativeMethods.moco_grad_set_enabled(enabled ? 1 : 0));

    /// <summary>Restores the previous grad mode.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        TorchCheck.Status(NativeMethods.moco_grad_set_enabled(previous));
    }
}
