using MoCo.Torch.Native;

namespace MoCo.Torch;

/// <summary>
/// The entry point, shaped as PyTorch's <c>torch</c> module (and TorchSharp's): tensor factories, joins,
/// runtime settings, and the <see cref="nn"/> and <see cref="optim"/> namespaces.
/// </summary>
#pragma warning disable CA1708, IDE1006 // lower-case names follow PyTorch
public static partial class torch
#pragma warning restore CA1708, IDE1006
{
    /// <summary>A new tensor holding a copy of <paramref name="data"/> in the given shape (1-D when no shape is given).</summary>
    public static Tensor tensor<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        long[] s = shape.Length == 0 ? [data.Length] : shape;
        long count = 1;
        foreach (long size in s)
        {
            if (size < 0) throw new ArgumentException($"negative size in shape [{string.Join(", ", s)}]", nameof(shape));
            count *= size;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", s)}] holds {count} elements, the data has {data.Length}", nameof(shape));
        Tensor t = empty(s, ScalarTypeInfo.Of<T>());
        try
        {
            t.CopyFrom(data);
        }
        catch
        {
            t.Dispose();
            throw;
        }
        return t;
    }

    /// <summary>A new tensor holding a copy of <paramref name="data"/> in the given shape (1-D when no shape is given).</summary>
    public static Tensor tensor<T>(T[] data, params long[] shape) where T : unmanaged => tensor((ReadOnlySpan<T>)data, shape);

    /// <summary>A one-element tensor.</summary>
    public static Tensor scalar_tensor<T>(T value) where T : unmanaged => tensor([value], []);

    /// <summary>
    /// A tensor over <paramref name="data"/> itself, without a copy: the array stays pinned until libtorch frees the
    /// tensor (and every view of it). Writes through either side are seen by the other.
    /// </summary>
    public static Tensor from_array<T>(T[] data, params long[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return Tensor.FromPinned(data, shape.Length == 0 ? [data.Length] : shape);
    }

    private static CallFrame Creation(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return CallFrame.Begin().Add(shape);
    }

    private static CallFrame Options(this CallFrame frame, ScalarType? dtype, Device? device) =>
        frame.AddOptional(dtype).AddNone().AddOptional(device).AddNone();

    private static Tensor WithGrad(Tensor t, bool requiresGrad) => requiresGrad ? t.requires_grad_() : t;

    /// <summary>Uninitialised elements.</summary>
    public static Tensor empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        WithGrad(Creation(shape).Options(dtype, device).AddNone().Call(Aten.Empty), requires_grad);
    /// <summary>All zeros.</summary>
    public static Tensor zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        WithGrad(Creation(shape).Options(dtype, device).Call(Aten.Zeros), requires_grad);
    /// <summary>All ones.</summary>
    public static Tensor ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        WithGrad(Creation(shape).Options(dtype, device).Call(Aten.Ones), requires_grad);
    /// <summary>Every element = <paramref name="value"/>.</summary>
    public static Tensor full(long[] shape, Scalar value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Creation(shape).Add(value).Options(dtype, device).Call(Aten.Full);
    /// <summary>Uniform on [0, 1) from the global generator.</summary>
    public static Tensor rand(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Creation(shape).Options(dtype, device).Call(Aten.Rand);
    /// <summary>Standard normal from the global generator.</summary>
    public static Tensor randn(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null, bool requires_grad = false) =>
        WithGrad(Creation(shape).Options(dtype, device).Call(Aten.Randn), requires_grad);
    /// <summary>Integers uniform on [low, high) from the global generator.</summary>
    public static Tensor randint(long low, long high, long[] shape, ScalarType dtype = ScalarType.Int64, Device? device = null) =>
        CallFrame.Begin().Add(low).Add(high).Add(shape).Options(dtype, device).Call(Aten.RandintLow);
    /// <summary>A random permutation of 0..n-1 from the global generator.</summary>
    public static Tensor randperm(long n, ScalarType dtype = ScalarType.Int64, Device? device = null) =>
        CallFrame.Begin().Add(n).Options(dtype, device).Call(Aten.Randperm);
    /// <summary>start, start+step, … below end.</summary>
    public static Tensor arange(Scalar start, Scalar end, Scalar? step = null, ScalarType? dtype = null, Device? device = null) =>
        CallFrame.Begin().Add(start).Add(end).Add(step ?? 1).Options(dtype, device).Call(Aten.ArangeStartStep);
    /// <summary>0, 1, … below end.</summary>
    public static Tensor arange(Scalar end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype, device);
    /// <summary>The n×n identity matrix.</summary>
    public static Tensor eye(long n, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        CallFrame.Begin().Add(n).Options(dtype, device).Call(Aten.Eye);
    /// <summary>Zeros shaped like <paramref name="other"/>.</summary>
    public static Tensor zeros_like(Tensor other) => CallFrame.Begin().Add(other).Options(null, null).AddNone().Call(Aten.ZerosLike);
    /// <summary>Ones shaped like <paramref name="other"/>.</summary>
    public static Tensor ones_like(Tensor other) => CallFrame.Begin().Add(other).Options(null, null).AddNone().Call(Aten.OnesLike);
    /// <summary>Uninitialised, shaped like <paramref name="other"/>.</summary>
    public static Tensor empty_like(Tensor other) => CallFrame.Begin().Add(other).Options(null, null).AddNone().Call(Aten.EmptyLike);

    /// <summary>Joins tensors along an existing dimension.</summary>
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => CallFrame.Begin().Add(AsSpan(tensors)).Add(dim).Call(Aten.Cat);
    /// <summary>Joins tensors along a new dimension.</summary>
    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => CallFrame.Begin().Add(AsSpan(tensors)).Add(dim).Call(Aten.Stack);
    /// <summary>Matrix product with broadcasting.</summary>
    public static Tensor matmul(Tensor left, Tensor right) => left.matmul(right);
    /// <summary>Picks from <paramref name="x"/> where <paramref name="condition"/> holds, else from <paramref name="y"/>.</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => CallFrame.Begin().Add(condition).Add(x).Add(y).Call(Aten.Where);

    /// <summary>In place, for each i: tensors[i] ·= scalar (one call for the whole list).</summary>
    public static void _foreach_mul_(IReadOnlyList<Tensor> tensors, Scalar scalar) =>
        CallFrame.Begin().Add(AsSpan(tensors)).Add(scalar).CallInPlace(Aten.ForeachMulScalar_);

    /// <summary>In place, for each i: tensors[i] += alpha · others[i] (one call for the whole list).</summary>
    public static void _foreach_add_(IReadOnlyList<Tensor> tensors, IReadOnlyList<Tensor> others, Scalar alpha) =>
        CallFrame.Begin().Add(AsSpan(tensors)).Add(AsSpan(others)).Add(alpha).CallInPlace(Aten.ForeachAddList_);

    private static ReadOnlySpan<Tensor> AsSpan(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return tensors is Tensor[] array ? array : tensors.ToArray();
    }
}
