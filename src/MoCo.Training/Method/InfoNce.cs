using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Method;

/// <summary>The InfoNCE loss of MoCo (He et al. 2020, eq. 1): −log exp(q·k+/τ) / Σ_i exp(q·k_i/τ), the positive
/// key against the queue's negatives, as cross-entropy over 1 + K logits with target 0.</summary>
public static class InfoNce
{
    /// <summary>The logits [q·k+, q·queue] / τ, N × (1 + K).</summary>
    /// <param name="q">Queries, N × C, L2-normalised (with gradient).</param>
    /// <param name="k">Positive keys, N × C, L2-normalised (no gradient).</param>
    /// <param name="queue">Negative keys, C × K (no gradient).</param>
    /// <param name="temperature">τ.</param>
    public static Tensor Logits(Tensor q, Tensor k, Tensor queue, double temperature)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(k);
        ArgumentNullException.ThrowIfNull(queue);
        using var scope = NewDisposeScope();
        var lPos = (q * k).sum(1, keepdim: true);          // N × 1
        var lNeg = q.mm(queue);                             // N × K
        return cat([lPos, lNeg], 1).div_(temperature).MoveToOuterDisposeScope();   // N × (1 + K)
    }

    /// <summary>The mean loss over the batch.</summary>
    public static Tensor Loss(Tensor q, Tensor k, Tensor queue, double temperature)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(q, k, queue, temperature);
        var labels = zeros([logits.size(0)], ScalarType.Int64, logits.device);   // the positive is logit 0
        return nn.functional.cross_entropy(logits, labels).MoveToOuterDisposeScope();
    }
}
