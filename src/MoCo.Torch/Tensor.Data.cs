using System.Runtime.InteropServices;
using MoCo.Torch.Native;

namespace MoCo.Torch;

public partial class Tensor
{
    /// <summary>Copies the elements (row-major, moved to the CPU first if needed) into a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var data = new T[numel()];
        CopyTo<T>(data);
        return data;
    }

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>, whose length must equal numel().</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = destination)
        {
            TorchCheck.Status(NativeMethods.moco_tensor_copy_to(Handle, p, (long)destination.Length * sizeof(T)));
        }
    }

    /// <summary>Overwrites the elements with <paramref name="source"/> (row-major; its length must equal numel()).</summary>
    public unsafe void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = source)
        {
            TorchCheck.Status(NativeMethods.moco_tensor_copy_from(Handle, p, (long)source.Length * sizeof(T)));
        }
    }

    /// <summary>Copies the elements' bytes (row-major, little-endian) whatever the element type.</summary>
    internal unsafe void CopyRawTo(Span<byte> destination)
    {
        fixed (byte* p = destination) TorchCheck.Status(NativeMethods.moco_tensor_copy_to(Handle, p, destination.Length));
    }

    /// <summary>Overwrites the elements with raw bytes (row-major, little-endian) whatever the element type.</summary>
    internal unsafe void CopyRawFrom(ReadOnlySpan<byte> source)
    {
        fixed (byte* p = source) TorchCheck.Status(NativeMethods.moco_tensor_copy_from(Handle, p, source.Length));
    }

    /// <summary>
    /// The elements of a contiguous CPU tensor in place, without a copy. The span is valid while the tensor
    /// lives; writing to it writes the tensor.
    /// </summary>
    public unsafe Span<T> AsSpan<T>() where T : unmanaged
    {
        NativeTensorInfo info = Info();
        CheckElementType<T>((ScalarType)info.DType);
        if (info.DeviceType != (int)DeviceType.CPU) throw new InvalidOperationException($"AsSpan needs a CPU tensor, this one is on {device}");
        if (info.IsContiguous == 0) throw new InvalidOperationException("AsSpan needs a contiguous tensor: call contiguous() first");
        return info.Numel == 0 ? [] : new Span<T>((void*)info.Data, checked((int)info.Numel));
    }

    /// <summary>The value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        if (numel() != 1) throw new InvalidOperationException($"item() needs a one-element tensor, this one has shape [{string.Join(", ", shape)}]");
        Span<T> one = stackalloc T[1];
        using Tensor converted = to_type(ScalarTypeInfo.Of<T>());
        converted.CopyTo(one);
        return one[0];
    }

    private void CheckElementType<T>(ScalarType? actual = null) where T : unmanaged
    {
        ScalarType expected = ScalarTypeInfo.Of<T>();
        ScalarType have = actual ?? dtype;
        if (have != expected) throw new ArgumentException($"the tensor holds {have}, not {typeof(T).Name} ({expected})");
    }

    /// <summary>Wraps pinned managed memory as a tensor without copying; the pin is released when libtorch frees the tensor.</summary>
    internal static unsafe Tensor FromPinned<T>(T[] data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        long count = 1;
        foreach (long s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative size in shape [{string.Join(", ", shape.ToArray())}]");
            count *= s;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements, the array has {data.Length}");
        GCHandle pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        IntPtr h;
        fixed (long* sizes = shape)
        {
            h = NativeMethods.moco_tensor_from_blob((void*)pin.AddrOfPinnedObject(), sizes, null, shape.Length,
                (int)ScalarTypeInfo.Of<T>(), &ReleasePin, GCHandle.ToIntPtr(pin));
        }
        if (h == IntPtr.Zero)
        {
            pin.Free();
            TorchCheck.Throw();
        }
        return new Tensor(h);
    }

    [UnmanagedCallersOnly]
    private static void ReleasePin(IntPtr context) => GCHandle.FromIntPtr(context).Free();
}
