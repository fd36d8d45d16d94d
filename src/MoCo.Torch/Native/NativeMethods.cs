using System.Runtime.InteropServices;

namespace MoCo.Torch.Native;

/// <summary>The C ABI of the shim (native/src/moco_torch.h). Every entry reports failure by a sentinel
/// and a thread-local message; callers go through <see cref="TorchCheck"/>.</summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "moco_torch";

    static NativeMethods() => NativeLibraryResolver.Register();

    [LibraryImport(Library)] internal static partial byte* moco_last_error();
    [LibraryImport(Library)] internal static partial void moco_clear_error();

    [LibraryImport(Library)] internal static partial void moco_tensor_free(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr moco_tensor_alias(IntPtr tensor);
    [LibraryImport(Library)]
    internal static partial IntPtr moco_tensor_from_blob(void* data, long* sizes, long* strides, int ndim, int dtype,
        delegate* unmanaged<IntPtr, void> release, IntPtr context);
    [LibraryImport(Library)] internal static partial int moco_tensor_get_info(IntPtr tensor, NativeTensorInfo* info);
    [LibraryImport(Library)] internal static partial int moco_tensor_get_shape(IntPtr tensor, long* sizes, long* strides, int capacity);
    [LibraryImport(Library)] internal static partial int moco_tensor_copy_to(IntPtr tensor, void* destination, long bytes);
    [LibraryImport(Library)] internal static partial int moco_tensor_copy_from(IntPtr tensor, void* source, long bytes);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr moco_op_find(string name, string overload);
    [LibraryImport(Library)] internal static partial int moco_op_schema(IntPtr op, byte* buffer, int capacity);
    [LibraryImport(Library)]
    internal static partial int moco_op_call(IntPtr op, NativeValue* args, int nargs, NativeValue* results, int capacity);

    [LibraryImport(Library)] internal static partial int moco_backward(IntPtr tensor, IntPtr gradient, int retainGraph);
    [LibraryImport(Library)] internal static partial int moco_tensor_get_grad(IntPtr tensor, IntPtr* grad);
    [LibraryImport(Library)] internal static partial int moco_tensor_set_grad(IntPtr tensor, IntPtr grad);
    [LibraryImport(Library)] internal static partial int moco_tensor_set_requires_grad(IntPtr tensor, int requiresGrad);
    [LibraryImport(Library)] internal static partial int moco_grad_set_enabled(int enabled);

    [LibraryImport(Library)]
    internal static partial IntPtr moco_split_batch_norm(IntPtr input, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar,
        long splits, double momentum, double eps);

    [LibraryImport(Library)] internal static partial byte* moco_torch_version();
    [LibraryImport(Library)] internal static partial int moco_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial int moco_get_num_threads();
    [LibraryImport(Library)] internal static partial int moco_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial int moco_set_deterministic(int enabled);
    [LibraryImport(Library)] internal static partial int moco_cuda_device_count();
    [LibraryImport(Library)] internal static partial int moco_backend_flag(int flag, int value);
    [LibraryImport(Library)] internal static partial IntPtr moco_rng_get_state();
    [LibraryImport(Library)] internal static partial int moco_rng_set_state(IntPtr state);
}

/// <summary>Twin of moco_tensor_info.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeTensorInfo
{
    public int DType;
    public int DeviceType;
    public int DeviceIndex;
    public int NDim;
    public int RequiresGrad;
    public int IsContiguous;
    public int IsLeaf;
    public int ElementSize;
    public int IsChannelsLast;
    public int Reserved;
    public long Numel;
    public IntPtr Data;
}
