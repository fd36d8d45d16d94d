using System.Globalization;
using MoCo.Torch.Native;

namespace MoCo.Torch;

/// <summary>
/// A libtorch tensor. Each instance owns one reference to a native tensor and frees it on
/// <see cref="Dispose"/> or when its <see cref="DisposeScope"/> closes; nothing relies on finalizers.
/// Methods are named as PyTorch's (and TorchSharp's) so code reads like the paper's pseudo-code.
/// </summary>
public partial class Tensor : IDisposable
{
    private IntPtr handle;

    internal Tensor(IntPtr handle)
    {
        this.handle = handle;
        Scope = DisposeScope.Current;
        Scope?.Register(this);
    }

    /// <summary>The scope that frees this tensor, or null if it is freed only by <see cref="Dispose"/>.</summary>
    internal DisposeScope? Scope { get; private set; }

    internal IntPtr Handle
    {
        get
        {
            IntPtr h = handle;
            if (h == IntPtr.Zero) throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (or its dispose scope closed)");
            return h;
        }
    }

    /// <summary>Whether the native tensor was freed.</summary>
    public bool IsDisposed => handle == IntPtr.Zero;

    /// <summary>Frees the native tensor (idempotent).</summary>
    public void Dispose()
    {
        IntPtr h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) NativeMethods.moco_tensor_free(h);
        GC.SuppressFinalize(this);
    }

    /// <summary>Hands this tensor to the scope outside the one that owns it (or to nobody), and returns it.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        Scope = Scope?.Outer;
        Scope?.Register(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller disposes it. Returns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope = null;
        return this;
    }

    /// <summary>Points this object at <paramref name="source"/>'s native tensor (another reference to it) and frees
    /// the one it held: moves a parameter to a device while the module keeps the same object.</summary>
    internal void ReplaceWith(Tensor source)
    {
        IntPtr fresh = TorchCheck.Handle(NativeMethods.moco_tensor_alias(source.Handle));
        IntPtr old = Interlocked.Exchange(ref handle, fresh);
        if (old != IntPtr.Zero) NativeMethods.moco_tensor_free(old);
    }

    internal unsafe NativeTensorInfo Info()
    {
        NativeTensorInfo info;
        TorchCheck.Status(NativeMethods.moco_tensor_get_info(Handle, &info));
        return info;
    }

    /// <summary>The element type.</summary>
    public ScalarType dtype => (ScalarType)Info().DType;

    /// <summary>The device holding the data.</summary>
    public Device device
    {
        get
        {
            NativeTensorInfo info = Info();
            return new Device((DeviceType)info.DeviceType, info.DeviceIndex);
        }
    }

    /// <summary>The sizes of the dimensions.</summary>
    public unsafe long[] shape
    {
        get
        {
            Span<long> sizes = stackalloc long[64];
            int n;
            fixed (long* s = sizes) n = TorchCheck.Status(NativeMethods.moco_tensor_get_shape(Handle, s, null, 64));
            return sizes[..n].ToArray();
        }
    }

    /// <summary>The strides (in elements) of the dimensions.</summary>
    public unsafe long[] stride()
    {
        Span<long> strides = stackalloc long[64];
        int n;
        fixed (long* s = strides) n = TorchCheck.Status(NativeMethods.moco_tensor_get_shape(Handle, null, s, 64));
        return strides[..n].ToArray();
    }

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long size(int dim)
    {
        long[] s = shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), dim, $"the tensor has {s.Length} dimensions");
        return s[d];
    }

    /// <summary>The number of dimensions.</summary>
    public int dim() => Info().NDim;

    /// <summary>The number of elements.</summary>
    public long numel() => Info().Numel;

    /// <summary>Whether the elements lie in memory in row-major order without gaps.</summary>
    public bool is_contiguous() => Info().IsContiguous != 0;

    /// <summary>Whether the tensor is a leaf of the autograd graph.</summary>
    public bool is_leaf => Info().IsLeaf != 0;

    /// <summary>A short description: shape, dtype, device.</summary>
    public override string ToString() => IsDisposed
        ? "Tensor(disposed)"
        : string.Create(CultureInfo.InvariantCulture, $"Tensor([{string.Join(", ", shape)}], {dtype}, {device})");
}
