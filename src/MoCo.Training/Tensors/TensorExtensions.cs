namespace MoCo.Training.Tensors;

/// <summary>What TorchSharp 0.107 leaves out and the training code needs: channels-last layout without
/// <c>contiguous(memory_format)</c>, raw bytes in and out, value equality, device parsing.</summary>
internal static class TensorExtensions
{
    /// <summary>A copy of an N×C×H×W tensor laid out channels-last (NHWC memory, NCHW shape), as PyTorch's
    /// <c>contiguous(memory_format=torch.channels_last)</c>; the tensor itself (an alias) when it already is, with the
    /// strides PyTorch gives it. Those matter where a dimension has size 1: a one-channel NCHW image is NHWC memory too,
    /// but libtorch takes its strides (H·W, H·W, W, 1) for NCHW, so a convolution on it would hand back NCHW; a view with
    /// strides (H·W, 1, W, 1) reads as channels-last. Differentiable.</summary>
    internal static Tensor ToChannelsLast(this Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"channels-last needs a 4-D tensor, got [{string.Join(", ", x.shape)}]", nameof(x));
        if (x.HasChannelsLastStrides()) return x.alias();
        long[] shape = x.shape;
        if (x.IsChannelsLast())   // the same memory; only the strides of size-1 dimensions change
            return x.as_strided(shape, [shape[1] * shape[2] * shape[3], 1, shape[1] * shape[3], shape[1]], x.storage_offset());
        using Tensor nhwc = x.permute(0, 2, 3, 1);
        using Tensor copy = nhwc.contiguous();
        return copy.permute(0, 3, 1, 2);
    }

    /// <summary>Whether a 4-D tensor's memory is NHWC-contiguous (strides C·W·H, 1, W·C, C), as PyTorch's
    /// <c>is_contiguous(memory_format=torch.channels_last)</c> decides it (size-1 dimensions match any stride).</summary>
    internal static bool IsChannelsLast(this Tensor x)
    {
        if (x.dim() != 4) return false;
        long[] s = x.shape;
        long[] st = x.stride();
        long expected = 1;
        foreach (int d in (int[])[1, 3, 2, 0])
        {
            if (s[d] != 1 && st[d] != expected) return false;
            expected *= s[d];
        }
        return true;
    }

    /// <summary>A row-major (NCHW) tensor whose strides say so to libtorch, size-1 dimensions included: a copy, or a view
    /// of the same memory when it already is row-major (a 1×1 convolution weight laid out channels-last is both, and
    /// libtorch reads its layout from the strides). Differentiable.</summary>
    internal static Tensor ToRowMajor(this Tensor x)
    {
        if (!x.is_contiguous()) return x.contiguous();
        long[] shape = x.shape;
        var strides = new long[shape.Length];
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = expected;
            expected *= shape[d];
        }
        return strides.SequenceEqual(x.stride()) ? x.alias() : x.as_strided(shape, strides, x.storage_offset());
    }

    /// <summary>Whether the strides are exactly (C·W·H, 1, W·C, C), size-1 dimensions included.</summary>
    private static bool HasChannelsLastStrides(this Tensor x)
    {
        long[] s = x.shape;
        long[] st = x.stride();
        return st[1] == 1 && st[3] == s[1] && st[2] == s[1] * s[3] && st[0] == s[1] * s[2] * s[3];
    }

    /// <summary>Copies the tensor's values (any device or layout) into <paramref name="destination"/> as raw
    /// little-endian bytes in row-major order.</summary>
    internal static void CopyRawTo(this Tensor t, Span<byte> destination)
    {
        using var scope = NewDisposeScope();
        Tensor cpu = t.detach().cpu().contiguous();
        cpu.bytes.CopyTo(destination);
    }

    /// <summary>Overwrites a contiguous CPU tensor with raw little-endian bytes in row-major order.</summary>
    internal static void CopyRawFrom(this Tensor t, ReadOnlySpan<byte> source) => source.CopyTo(t.bytes);

    /// <summary>A new CPU tensor of <paramref name="type"/> holding <paramref name="source"/>'s bytes.</summary>
    internal static Tensor FromRaw(ReadOnlySpan<byte> source, long[] shape, ScalarType type)
    {
        Tensor t = empty(shape, type);
        source.CopyTo(t.bytes);
        return t;
    }

    /// <summary>A new float32 CPU tensor holding <paramref name="values"/>.</summary>
    internal static Tensor FromFloats(ReadOnlySpan<float> values, long[] shape) =>
        FromRaw(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values), shape, ScalarType.Float32);

    /// <summary>The values as a managed array (any device or layout).</summary>
    internal static T[] ToArray<T>(this Tensor t) where T : unmanaged
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().contiguous().data<T>().ToArray();
    }

    /// <summary>Same shape and equal values (PyTorch's torch.equal; TorchSharp's Tensor.equal is elementwise).</summary>
    internal static bool SameValues(this Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using var scope = NewDisposeScope();
        return a.eq(b.to(a.device)).all().item<bool>();
    }

    /// <summary>Parses "cpu", "cuda", "cuda:1" with a message naming the accepted forms.</summary>
    internal static Device ParseDevice(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string n = name.Trim().ToLowerInvariant();
        if (n != "cpu" && n != "cuda" && !(n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan(5), out int i) && i >= 0))
            throw new ArgumentException($"unknown device '{name}': use cpu, cuda or cuda:N", nameof(name));
        return new Device(n);
    }
}
