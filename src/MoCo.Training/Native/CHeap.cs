using System.Runtime.InteropServices;

namespace MoCo.Training.Native;

/// <summary>
/// glibc's malloc settings for training. libtorch allocates every tensor with malloc. By default glibc maps each
/// allocation above its dynamic threshold with mmap and unmaps it on free, and it trims the heap once 128 KB at its top
/// is free. A training step frees and reallocates the same activations again and again. So, by default, each step
/// touches its activations' memory anew: one page fault per 4 KB page, and each page zeroed by the kernel. At batch 256
/// that cost TorchSharp's process twice PyTorch's page faults and ~40% of the speed of a channels-last convolution
/// (docs/benchmarks.md). <see cref="KeepFreedMemory"/> makes allocations up to 32 MB come from the heap, and keeps up
/// to 1 GB of freed memory there, so the next step reuses pages it already has. Resident memory then holds the step's
/// peak working set, which is what a run needs anyway. Process-wide; a no-op where the C library is not glibc.
/// </summary>
internal static unsafe class CHeap
{
    private const int TrimThreshold = -1, TopPad = -2, MmapThreshold = -3;   // mallopt's M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD

    /// <summary>Largest allocation served from the heap: glibc's ceiling for M_MMAP_THRESHOLD on 64-bit (32 MB).</summary>
    internal const int HeapAllocationLimit = 32 << 20;
    /// <summary>Free memory kept at the heap's top before glibc gives it back to the system (1 GB).</summary>
    internal const int KeptFreeMemory = 1 << 30;
    /// <summary>Extra memory taken each time the heap grows (64 MB).</summary>
    internal const int GrowthPad = 64 << 20;

    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>Applies the settings once per process; true where glibc took them.</summary>
    internal static bool KeepFreedMemory() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (!NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)) return false;   // not glibc (musl's is libc.so)
        if (!NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr address)) return false;
        var mallopt = (delegate* unmanaged<int, int, int>)address;
        // mallopt returns 1 on success. Setting the mmap threshold also turns off glibc's dynamic adjustment of it.
        return mallopt(MmapThreshold, HeapAllocationLimit) == 1
            & mallopt(TrimThreshold, KeptFreeMemory) == 1
            & mallopt(TopPad, GrowthPad) == 1;
    }
}
