using MoCo.Torch.Native;

namespace MoCo.Torch;

// Reductions, norms and orderings.
public partial class Tensor
{
    /// <summary>Sum of all elements.</summary>
    public Tensor sum() => CallFrame.Begin().Add(this).AddNone().Call(Aten.Sum);
    /// <summary>Sum over <paramref name="dims"/>.</summary>
    public Tensor sum(long[] dims, bool keepdim = false, ScalarType? dtype = null) =>
        CallFrame.Begin().Add(this).Add(dims).Add(keepdim).AddOptional(dtype).Call(Aten.SumDim);
    /// <summary>Sum over one dimension.</summary>
    public Tensor sum(long dim, bool keepdim = false) => sum([dim], keepdim);
    /// <summary>Mean of all elements.</summary>
    public Tensor mean() => CallFrame.Begin().Add(this).AddNone().Call(Aten.Mean);
    /// <summary>Mean over <paramref name="dims"/>.</summary>
    public Tensor mean(long[] dims, bool keepdim = false, ScalarType? dtype = null) =>
        CallFrame.Begin().Add(this).Add(dims).Add(keepdim).AddOptional(dtype).Call(Aten.MeanDim);
    /// <summary>Mean over one dimension.</summary>
    public Tensor mean(long dim, bool keepdim = false) => mean([dim], keepdim);
    /// <summary>Variance over <paramref name="dims"/> with the given correction (1: unbiased).</summary>
    public Tensor var(long[] dims, long correction = 1, bool keepdim = false) =>
        CallFrame.Begin().Add(this).Add(dims).Add(correction).Add(keepdim).Call(Aten.Var);
    /// <summary>Largest element.</summary>
    public Tensor max() => Unary(Aten.Max);
    /// <summary>Largest elements along a dimension and their indices.</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false) => Pair(CallFrame.Begin().Add(this).Add(dim).Add(keepdim).CallMany(Aten.MaxDim));
    /// <summary>Smallest element.</summary>
    public Tensor min() => Unary(Aten.Min);
    /// <summary>Smallest elements along a dimension and their indices.</summary>
    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false) => Pair(CallFrame.Begin().Add(this).Add(dim).Add(keepdim).CallMany(Aten.MinDim));
    /// <summary>Index of the largest element (flattened when <paramref name="dim"/> is null).</summary>
    public Tensor argmax(long? dim = null, bool keepdim = false) => CallFrame.Begin().Add(this).AddOptional(dim).Add(keepdim).Call(Aten.Argmax);
    /// <summary>Index of the smallest element (flattened when <paramref name="dim"/> is null).</summary>
    public Tensor argmin(long? dim = null, bool keepdim = false) => CallFrame.Begin().Add(this).AddOptional(dim).Add(keepdim).Call(Aten.Argmin);
    /// <summary>The k largest (or smallest) elements along a dimension, and their indices.</summary>
    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        Pair(CallFrame.Begin().Add(this).Add(k).Add(dim).Add(largest).Add(sorted).CallMany(Aten.Topk));
    /// <summary>Sorts along a dimension; returns values and indices.</summary>
    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false) =>
        Pair(CallFrame.Begin().Add(this).Add(dim).Add(descending).CallMany(Aten.Sort));
    /// <summary>The indices that sort the tensor along a dimension.</summary>
    public Tensor argsort(long dim = -1, bool descending = false) => CallFrame.Begin().Add(this).Add(dim).Add(descending).Call(Aten.Argsort);
    /// <summary>The p-norm over <paramref name="dims"/> (all elements when null).</summary>
    public Tensor norm(double p = 2, long[]? dims = null, bool keepdim = false) =>
        CallFrame.Begin().Add(this).Add(p).AddOptional(dims).Add(keepdim).AddNone().Call(Aten.LinalgVectorNorm);
    /// <summary>log Σ exp over <paramref name="dims"/>.</summary>
    public Tensor logsumexp(long[] dims, bool keepdim = false) => CallFrame.Begin().Add(this).Add(dims).Add(keepdim).Call(Aten.LogSumExp);

    private static (Tensor, Tensor) Pair(Tensor[] results)
    {
        if (results.Length != 2)
        {
            foreach (Tensor t in results) t.Dispose();
            throw new TorchException($"expected two tensors, the operator returned {results.Length}");
        }
        return (results[0], results[1]);
    }
}
