using MoCo.Torch;
using MoCo.Training.Data;
using MoCo.Training.Models;
using static MoCo.Torch.torch;

namespace MoCo.Training.Evaluation;

/// <summary>
/// The kNN classifier of MoCo's CIFAR demo (after Wu et al. 2018): cosine similarity to every memory-bank feature,
/// the k nearest vote for their class with weight exp(similarity / t), the class with the largest sum wins.
/// </summary>
public static class Knn
{
    /// <summary>Predicted classes of <paramref name="features"/> (B×D, L2-normalised) against <paramref name="bank"/>
    /// (M×D, L2-normalised) with labels <paramref name="bankLabels"/> (M, Int64). Defaults: k = 200, t = 0.1.</summary>
    public static Tensor Predict(Tensor features, Tensor bank, Tensor bankLabels, int classes, int k = 200, double t = 0.1)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(bankLabels);
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

/// <summary>kNN top-1 of an encoder's backbone features: a labelled memory set forms the bank, a test set is classified.</summary>
public sealed class KnnMonitor(InMemoryImages memory, InMemoryImages test, BatchedAugmentation preprocessing, int k = 200, double t = 0.1, int batchSize = 512)
{
    /// <summary>Classes: one more than the largest label in either set.</summary>
    public int Classes { get; } = (int)Math.Max(memory.Labels?.Max() ?? throw new ArgumentException("the kNN memory set needs labels"),
        test.Labels?.Max() ?? throw new ArgumentException("the kNN test set needs labels")) + 1;

    /// <summary>Top-1 accuracy (0–1) of the encoder's L2-normalised pooled features, computed in eval mode (the
    /// encoder's mode is restored afterwards).</summary>
    public double Evaluate(ResNet encoder, Device device)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var bank = Features(encoder, memory, device);
            var bankLabels = tensor(memory.Labels!).to(device);
            long correct = 0;
            for (int start = 0; start < test.Count; start += batchSize)
            {
                using var batchScope = NewDisposeScope();
                int n = Math.Min(batchSize, test.Count - start);
                var f = FeaturesOf(encoder, test.Images.narrow(0, start, n), device);
                var predicted = Knn.Predict(f, bank, bankLabels, Classes, k, t);
                var truth = tensor(test.Labels!.AsSpan(start, n).ToArray()).to(device);
                correct += predicted.eq(truth).sum().item<long>();
            }
            return (double)correct / test.Count;
        }
        finally
        {
            encoder.train(wasTraining);
        }
    }

    private Tensor Features(ResNet encoder, InMemoryImages set, Device device)
    {
        var parts = new List<Tensor>();
        for (int start = 0; start < set.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, set.Count - start);
            parts.Add(FeaturesOf(encoder, set.Images.narrow(0, start, n), device));
        }
        return cat(parts, 0);
    }

    private Tensor FeaturesOf(ResNet encoder, Tensor pixels, Device device)
    {
        using var scope = NewDisposeScope();
        var x = preprocessing.Evaluate(pixels.to(device));
        return nn.functional.normalize(encoder.ForwardFeatures(x), dim: 1).MoveToOuterDisposeScope();
    }
}
