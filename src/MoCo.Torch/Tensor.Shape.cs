using MoCo.Torch.Native;

namespace MoCo.Torch;

// Views, reshapes, joins, slicing and indexing.
public partial class Tensor
{
    /// <summary>The same elements in a new shape (a view when the strides allow, else a copy); one size may be -1.</summary>
    public Tensor reshape(params long[] shape) => CallFrame.Begin().Add(this).Add(shape).Call(Aten.Reshape);
    /// <summary>A view with a new shape (the strides must allow it); one size may be -1.</summary>
    public Tensor view(params long[] shape) => CallFrame.Begin().Add(this).Add(shape).Call(Aten.View);
    /// <summary>A view with the dimensions reordered.</summary>
    public Tensor permute(params long[] dims) => CallFrame.Begin().Add(this).Add(dims).Call(Aten.Permute);
    /// <summary>A view with two dimensions swapped.</summary>
    public Tensor transpose(long dim0, long dim1) => CallFrame.Begin().Add(this).Add(dim0).Add(dim1).Call(Aten.Transpose);
    /// <summary>The transpose of a matrix (a view).</summary>
    public Tensor t() => Unary(Aten.T);
    /// <summary>A contiguous tensor with the same elements (this data when already contiguous).</summary>
    public Tensor contiguous() => CallFrame.Begin().Add(this).AddDefault().Call(Aten.Contiguous);
    /// <summary>A tensor with the same elements laid out in <paramref name="format"/> (this data when it already is).</summary>
    public Tensor contiguous(MemoryFormat format) => CallFrame.Begin().Add(this).Add((long)format).Call(Aten.Contiguous);
    /// <summary>Whether a 4-D tensor is contiguous in channels-last (NHWC) order.</summary>
    public bool is_channels_last() => Info().IsChannelsLast != 0;
    /// <summary>Flattens dimensions start_dim..end_dim into one.</summary>
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => CallFrame.Begin().Add(this).Add(start_dim).Add(end_dim).Call(Aten.Flatten);
    /// <summary>A view with a size-1 dimension inserted at <paramref name="dim"/>.</summary>
    public Tensor unsqueeze(long dim) => CallFrame.Begin().Add(this).Add(dim).Call(Aten.Unsqueeze);
    /// <summary>A view without the size-1 dimension <paramref name="dim"/> (all size-1 dimensions when null).</summary>
    public Tensor squeeze(long? dim = null) => dim is { } d ? CallFrame.Begin().Add(this).Add(d).Call(Aten.SqueezeDim) : Unary(Aten.Squeeze);
    /// <summary>A broadcast view with the given sizes (-1 keeps a size).</summary>
    public Tensor expand(params long[] sizes) => CallFrame.Begin().Add(this).Add(sizes).Add(false).Call(Aten.Expand);
    /// <summary>A broadcast view with the shape of <paramref name="other"/>.</summary>
    public Tensor expand_as(Tensor other) => expand(other.shape);
    /// <summary>A view of <paramref name="length"/> elements of dimension <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public Tensor narrow(long dim, long start, long length) => CallFrame.Begin().Add(this).Add(dim).Add(start).Add(length).Call(Aten.Narrow);
    /// <summary>A view of dim's indices start, start+step, … before end (Python's t[start:end:step] on one dimension).</summary>
    public Tensor slice(long dim, long? start, long? end, long step = 1) =>
        CallFrame.Begin().Add(this).Add(dim).AddOptional(start).AddOptional(end).Add(step).Call(Aten.Slice);
    /// <summary>A view of index <paramref name="index"/> of dimension <paramref name="dim"/> (the dimension removed).</summary>
    public Tensor select(long dim, long index) => CallFrame.Begin().Add(this).Add(dim).Add(index).Call(Aten.Select);
    /// <summary>Reverses the order along <paramref name="dims"/>.</summary>
    public Tensor flip(params long[] dims) => CallFrame.Begin().Add(this).Add(dims).Call(Aten.Flip);
    /// <summary>Rolls the elements along <paramref name="dims"/> by <paramref name="shifts"/>.</summary>
    public Tensor roll(long[] shifts, long[] dims) => CallFrame.Begin().Add(this).Add(shifts).Add(dims).Call(Aten.Roll);
    /// <summary>Splits into <paramref name="chunks"/> views along <paramref name="dim"/>.</summary>
    public Tensor[] chunk(long chunks, long dim = 0) => CallFrame.Begin().Add(this).Add(chunks).Add(dim).CallMany(Aten.Chunk);
    /// <summary>The entries at <paramref name="index"/> (Int64) along <paramref name="dim"/>.</summary>
    public Tensor index_select(long dim, Tensor index) => CallFrame.Begin().Add(this).Add(dim).Add(index).Call(Aten.IndexSelect);
    /// <summary>out[i][j] = this[index[i][j]][j] for dim 0 (and so on): gathers along <paramref name="dim"/>.</summary>
    public Tensor gather(long dim, Tensor index) => CallFrame.Begin().Add(this).Add(dim).Add(index).Add(false).Call(Aten.Gather);
    /// <summary>A copy with src's values written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor scatter(long dim, Tensor index, Tensor src) => CallFrame.Begin().Add(this).Add(dim).Add(index).Add(src).Call(Aten.ScatterSrc);
    /// <summary>In place: writes src's values at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor scatter_(long dim, Tensor index, Tensor src) { CallFrame.Begin().Add(this).Add(dim).Add(index).Add(src).CallInPlace(Aten.ScatterSrc_); return this; }
    /// <summary>Advanced indexing, Python's t[i0, i1, …] with index tensors (null: the whole dimension).</summary>
    public Tensor index(params Tensor?[] indices) => CallFrame.Begin().Add(this).AddOptionalTensors(indices).Call(Aten.Index);
    /// <summary>In place: t[indices] = values (accumulating when <paramref name="accumulate"/>).</summary>
    public Tensor index_put_(Tensor?[] indices, Tensor values, bool accumulate = false)
    {
        CallFrame.Begin().Add(this).AddOptionalTensors(indices).Add(values).Add(accumulate).CallInPlace(Aten.IndexPut_);
        return this;
    }
    /// <summary>In place: copies source's slices into the positions <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor index_copy_(long dim, Tensor index, Tensor source)
    {
        CallFrame.Begin().Add(this).Add(dim).Add(index).Add(source).CallInPlace(Aten.IndexCopy_);
        return this;
    }

    /// <summary>Tiles the tensor: dimension d repeated repeats[d] times.</summary>
    public Tensor repeat(params long[] repeats) => CallFrame.Begin().Add(this).Add(repeats).Call(Aten.Repeat);
    /// <summary>A copy with src's values added at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor scatter_add(long dim, Tensor index, Tensor src) => CallFrame.Begin().Add(this).Add(dim).Add(index).Add(src).Call(Aten.ScatterAdd);

    /// <summary>Matrix product with broadcasting (numpy's matmul).</summary>
    public Tensor matmul(Tensor other) => Binary(Aten.Matmul, other);
    /// <summary>Product of two matrices.</summary>
    public Tensor mm(Tensor other) => Binary(Aten.Mm, other);
    /// <summary>Batched matrix product.</summary>
    public Tensor bmm(Tensor other) => Binary(Aten.Bmm, other);
}
