namespace MoCo.Training.Import;

/// <summary>
/// A storage of a PyTorch file: a flat run of <see cref="Numel"/> elements of <see cref="DType"/>, as torch.save writes
/// it (zip: the archive entry data/KEY; legacy: a record after the pickles). A legacy view storage is a slice of a root.
/// The bytes are little-endian (the reader swaps big-endian files).
/// </summary>
internal sealed class PyTorchStorage
{
    private byte[]? data;

    internal PyTorchStorage(string key, ScalarType dtype, long numel, string location)
    {
        if (numel < 0 || numel > long.MaxValue / dtype.ElementSize())
            throw new InvalidDataException($"storage {key} claims {numel} elements of {dtype}, which no file holds");
        Key = key;
        DType = dtype;
        Numel = numel;
        Location = location;
    }

    private PyTorchStorage(PyTorchStorage root, string key, long elementOffset, long numel) : this(key, root.DType, numel, root.Location)
    {
        Root = root;
        ElementOffset = elementOffset;
    }

    internal string Key { get; }
    internal ScalarType DType { get; }
    internal long Numel { get; }
    /// <summary>Where PyTorch kept it ("cpu", "cuda:0"); everything is read onto the CPU.</summary>
    internal string Location { get; }
    internal PyTorchStorage? Root { get; }
    internal long ElementOffset { get; }
    internal long ByteLength => Numel * DType.ElementSize();

    /// <summary>A view of <paramref name="numel"/> elements from <paramref name="elementOffset"/> (old legacy files' storage views).</summary>
    internal PyTorchStorage View(string key, long elementOffset, long numel)
    {
        if (elementOffset < 0 || numel < 0 || elementOffset + numel > Numel)
            throw new InvalidDataException($"storage view {key} [{elementOffset}, {elementOffset + numel}) falls outside storage {Key} of {Numel} elements");
        return new PyTorchStorage(this, key, elementOffset, numel);
    }

    internal bool IsLoaded => Root?.IsLoaded ?? data is not null;

    internal void SetData(byte[] bytes)
    {
        if (Root is not null) throw new InvalidOperationException("a view storage takes its bytes from its root");
        if (bytes.LongLength != ByteLength) throw new InvalidDataException($"storage {Key} holds {bytes.LongLength} bytes, {Numel} × {DType} need {ByteLength}");
        data = bytes;
    }

    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            if (Root is not null)
            {
                long size = DType.ElementSize();
                return Root.Bytes.Slice(checked((int)(ElementOffset * size)), checked((int)ByteLength));
            }
            return data ?? throw new InvalidDataException($"storage {Key} was never read from the file");
        }
    }
}

/// <summary>
/// A tensor of a PyTorch file as torch._utils._rebuild_tensor_v2 describes it: a storage, an element offset into it,
/// a shape and strides (so a view of a larger storage reads as PyTorch reads it). <see cref="ToTensor"/> makes a
/// contiguous TorchSharp copy after checking that every element it reads lies inside the storage.
/// </summary>
internal sealed class PyTorchTensor
{
    internal PyTorchTensor(PyTorchStorage storage, long storageOffset, long[] shape, long[] stride, bool requiresGrad)
    {
        if (shape.Length != stride.Length)
            throw new InvalidDataException($"a tensor of storage {storage.Key} has shape [{string.Join(", ", shape)}] but strides [{string.Join(", ", stride)}]");
        if (storageOffset < 0 || shape.Any(s => s < 0) || stride.Any(s => s < 0))
            throw new InvalidDataException($"a tensor of storage {storage.Key} has a negative offset, size or stride");
        Storage = storage;
        StorageOffset = storageOffset;
        Shape = shape;
        Stride = stride;
        RequiresGrad = requiresGrad;
        long last = storageOffset;
        if (shape.All(s => s > 0))
        {
            try
            {
                for (int d = 0; d < shape.Length; d++) last = checked(last + ((shape[d] - 1) * stride[d]));
            }
            catch (OverflowException)
            {
                throw new InvalidDataException($"a tensor of storage {storage.Key} has strides that overflow");
            }
            if (last >= storage.Numel)
                throw new InvalidDataException($"a tensor of shape [{string.Join(", ", shape)}], strides [{string.Join(", ", stride)}] at offset {storageOffset} reads element {last} of storage {storage.Key}, which holds {storage.Numel}");
        }
    }

    internal PyTorchStorage Storage { get; }
    internal long StorageOffset { get; }
    internal long[] Shape { get; }
    internal long[] Stride { get; }
    internal bool RequiresGrad { get; }
    /// <summary>Whether it was saved as an nn.Parameter (torch._utils._rebuild_parameter).</summary>
    internal bool IsParameter { get; init; }
    internal ScalarType DType => Storage.DType;
    internal long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>A new contiguous CPU tensor with the values PyTorch would read (the caller owns it).</summary>
    internal Tensor ToTensor()
    {
        using var scope = NewDisposeScope();
        Tensor flat = TensorExtensions.FromRaw(Storage.Bytes, [Storage.Numel], DType);
        Tensor view = Shape.Length == 0
            ? flat.narrow(0, StorageOffset, 1).reshape([])
            : Numel == 0 ? empty(Shape, DType) : flat.as_strided(Shape, Stride, StorageOffset);
        return view.contiguous().clone().MoveToOuterDisposeScope();
    }
}
