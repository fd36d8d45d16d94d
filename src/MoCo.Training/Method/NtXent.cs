using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Method;

/// <summary>
/// SimCLR's NT-Xent loss (Chen et al. 2020, eq. 1): over the 2N views z of a batch, for view i with positive p(i)
/// (the other view of its image), ℓ_i = −log exp(s(i, p(i))/τ) / Σ_{j≠i} exp(s(i, j)/τ) with s the cosine similarity,
/// averaged over all 2N views. Each view has 2N − 2 negatives: the views of the other images of the batch.
/// </summary>
public static class NtXent
{
    /// <summary>The logits s(i, j)/τ over the 2N views [z1; z2], 2N × 2N, with each view's similarity to itself set to −∞
    /// (left out of the softmax).</summary>
    /// <param name="z1">First views' embeddings, N × C, L2-normalised.</param>
    /// <param name="z2">Second views' embeddings, N × C, L2-normalised (row i: the same image as row i of z1).</param>
    /// <param name="temperature">τ.</param>
    public static Tensor Logits(Tensor z1, Tensor z2, double temperature)
    {
        ArgumentNullException.ThrowIfNull(z1);
        ArgumentNullException.ThrowIfNull(z2);
        if (z1.dim() != 2 || !z1.shape.SequenceEqual(z2.shape))
            throw new ArgumentException($"the two views' embeddings must be N × C of one shape, got [{string.Join(", ", z1.shape)}] and [{string.Join(", ", z2.shape)}]");
        using var scope = NewDisposeScope();
        var z = cat([z1, z2], 0);                                                    // 2N × C
        long n2 = z.size(0);
        var self = eye(n2, dtype: ScalarType.Bool, device: z.device);
        return z.mm(z.t()).div(temperature).masked_fill(self, double.NegativeInfinity).MoveToOuterDisposeScope();   // 2N × 2N
    }

    /// <summary>The positive of each of the 2N views: i + N for the first views, i − N for the second (Int64, 2N).</summary>
    public static Tensor Targets(long n, Device device)
    {
        using var scope = NewDisposeScope();
        var i = arange(n, ScalarType.Int64, device);
        return cat([i + n, i], 0).MoveToOuterDisposeScope();
    }

    /// <summary>The loss averaged over the 2N views.</summary>
    public static Tensor Loss(Tensor z1, Tensor z2, double temperature)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(z1, z2, temperature);
        return nn.functional.cross_entropy(logits, Targets(z1.size(0), logits.device)).MoveToOuterDisposeScope();
    }
}
