using MoCo.Evaluation;
using MoCo.Training.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>A classifier's output on a labelled set: the true classes, the predicted ones (argmax; equal logits: the
/// lower class), the softmax probabilities (row-major N × classes) and the backbone's pooled features (N × D, the
/// classifier's input), in the set's order.</summary>
public sealed record ClassifierScores(int[] Truth, int[] Predicted, float[] Probabilities, int Classes, FeatureMatrix Features)
{
    /// <summary>Top-1 accuracy (0–1), by <see cref="Accuracy.Top1"/>.</summary>
    public double Top1 => Accuracy.Top1(Truth, Predicted);

    /// <summary>The network's scores of every image of <paramref name="set"/>, in eval mode without gradient (the
    /// network's mode is restored afterwards): features = <see cref="Models.ResNet.ForwardFeatures"/>, logits = fc(features).</summary>
    public static ClassifierScores Of(Models.ResNet network, ILabelledImages set, Device device)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(set);
        using var mode = new EvalMode(network);
        using var _ = no_grad();
        var truth = new List<int>(set.Count);
        var predicted = new List<int>(set.Count);
        var probabilities = new List<float>();
        var features = new List<float>();
        int classes = 0, dim = network.FeatureDim;
        foreach (var (x, labels) in set.Batches(device))
        {
            using var scope = NewDisposeScope();
            using (x)
            {
                Tensor f = network.ForwardFeatures(x);                           // N × D
                Tensor logits = network.Head.forward(f).to(CPU);                 // N × classes
                classes = (int)logits.size(1);
                predicted.AddRange(logits.argmax(1).to(ScalarType.Int32).data<int>());
                probabilities.AddRange(logits.softmax(1).data<float>());
                features.AddRange(f.to(CPU).contiguous().data<float>());
            }
            truth.AddRange(labels.Select(l => checked((int)l)));
        }
        if (truth.Count == 0) throw new ArgumentException("the labelled set gave no images");
        return new ClassifierScores([.. truth], [.. predicted], [.. probabilities], classes, new FeatureMatrix([.. features], truth.Count, dim));
    }
}
