using MoCo.Evaluation;
using MoCo.Training.Data;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>
/// kNN top-1 of an encoder's backbone features during training: a labelled memory set forms the bank, a test set is
/// classified, on the training device, by the protocol's vote (<see cref="Knn"/>, the libtorch adapter of
/// <see cref="MoCo.Evaluation.Knn"/>). Defaults k = 200, t = 0.1 (<see cref="KnnOptions"/>).
/// </summary>
public sealed class KnnMonitor(ILabelledImages memory, ILabelledImages test, int k = KnnOptions.DefaultK, double t = KnnOptions.DefaultTemperature)
{
    /// <summary>A monitor over in-memory sets, preprocessed by <paramref name="preprocessing"/>.</summary>
    public KnnMonitor(InMemoryImages memory, InMemoryImages test, BatchedAugmentation preprocessing, int k = KnnOptions.DefaultK, double t = KnnOptions.DefaultTemperature)
        : this(new InMemoryLabelledImages(memory, preprocessing), new InMemoryLabelledImages(test, preprocessing), k, t) { }

    /// <summary>The vote's settings, as the protocol names them.</summary>
    public KnnOptions Options { get; } = new() { K = k, Temperature = (float)t };

    /// <summary>Classes: the larger of the two sets' counts.</summary>
    public int Classes { get; } = Math.Max(memory.Classes, test.Classes);

    /// <summary>Top-1 accuracy (0–1) of the encoder's L2-normalised pooled features, computed in eval mode (the
    /// encoder's mode is restored afterwards).</summary>
    public double Evaluate(ResNet encoder, Device device)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        using var mode = new EvalMode(encoder);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // The bank: the same frozen features every evaluation extracts (FrozenFeatures), L2-normalised on the device.
        var (bankFeatures, bankLabels) = FrozenFeatures.Extract(encoder, memory, device);
        var bank = nn.functional.normalize(bankFeatures.to(device), dim: 1);
        var bankLabelTensor = tensor(bankLabels).to(device);
        long correct = 0, total = 0;
        foreach (var (x, labels) in test.Batches(device))
        {
            using var batchScope = NewDisposeScope();
            Tensor f;
            using (x) f = FeaturesOf(encoder, x);
            var predicted = Knn.Predict(f, bank, bankLabelTensor, Classes, k, t);
            correct += predicted.eq(tensor(labels).to(device)).sum().item<long>();
            total += labels.Length;
        }
        return total == 0 ? double.NaN : (double)correct / total;
    }

    private static Tensor FeaturesOf(ResNet encoder, Tensor x)
    {
        using Tensor features = encoder.ForwardFeatures(x);
        return nn.functional.normalize(features, dim: 1);
    }
}
