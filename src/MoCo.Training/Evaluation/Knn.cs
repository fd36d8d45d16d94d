using MoCo.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>
/// The protocol's kNN vote (<see cref="MoCo.Evaluation.Knn"/>) on libtorch tensors, for the training monitor on the
/// training device (a GPU when there is one): similarities by one matrix product, the k largest by <c>topk</c>,
/// weights exp(similarity / t) summed per class by <c>scatter_add</c>, <c>argmax</c> (the first, lowest class on equal
/// scores). Tested equal to the managed definition on the same features; the one place they may part is an exact tie of
/// similarities at the k-th place, where <c>topk</c> does not promise the lower bank row.
/// </summary>
public static class Knn
{
    /// <summary>Predicted classes of <paramref name="features"/> (B×D, L2-normalised) against <paramref name="bank"/>
    /// (M×D, L2-normalised) with labels <paramref name="bankLabels"/> (M, Int64). Defaults: the protocol's k = 200,
    /// t = 0.1 (<see cref="KnnOptions"/>).</summary>
    public static Tensor Predict(Tensor features, Tensor bank, Tensor bankLabels, int classes, int k = KnnOptions.DefaultK, double t = KnnOptions.DefaultTemperature)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(bankLabels);
        new KnnOptions { K = k, Temperature = (float)t }.Validate();
        if (features.dim() != 2 || bank.dim() != 2 || features.size(1) != bank.size(1))
            throw new ArgumentException($"kNN: queries of shape [{string.Join(", ", features.shape)}] against a bank of shape [{string.Join(", ", bank.shape)}]");
        if (bankLabels.numel() != bank.size(0) || bank.size(0) == 0)
            throw new ArgumentException($"kNN: {bankLabels.numel()} labels for a bank of {bank.size(0)} rows (needs at least one).");
        using var scope = NewDisposeScope();
        long b = features.size(0);
        int kk = (int)Math.Min(k, bank.size(0));
        var similarity = features.mm(bank.t());                       // B × M
        var (weights, indices) = similarity.topk(kk, dim: 1);          // B × k
        var neighbourLabels = bankLabels.index_select(0, indices.flatten()).view(b, kk);
        var votes = zeros([b, classes], features.dtype, features.device).scatter_add(1, neighbourLabels, weights.div(t).exp_());
        return votes.argmax(1).MoveToOuterDisposeScope();
    }
}
