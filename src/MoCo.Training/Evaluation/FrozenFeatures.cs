using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>An encoder's frozen backbone features of a labelled set (the linear protocol's input).</summary>
public static class FrozenFeatures
{
    /// <summary>
    /// The pooled backbone features (<see cref="ResNet.ForwardFeatures"/>) of every image of <paramref name="set"/>, in its
    /// order, computed in eval mode without gradient (the encoder's mode is restored afterwards): N × D float32 on the CPU,
    /// with the labels. The caller disposes the tensor.
    /// </summary>
    public static (Tensor features, long[] labels) Extract(ResNet encoder, ILabelledImages set, Device device)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(device);
        using var mode = new EvalMode(encoder);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = new List<Tensor>();
        var labels = new List<long>(set.Count);
        foreach (var (x, batchLabels) in set.Batches(device))
        {
            using (x) parts.Add(encoder.ForwardFeatures(x).to(CPU));
            labels.AddRange(batchLabels);
        }
        if (parts.Count == 0) throw new ArgumentException("the labelled set gave no images");
        return (cat(parts, 0).to_type(ScalarType.Float32).MoveToOuterDisposeScope(), labels.ToArray());
    }
}
