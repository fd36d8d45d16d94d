using MoCo.Evaluation;
using MoCo.Training.Models;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>What <see cref="FrozenEvaluation"/> found, with the protocols' names (<see cref="KnnOptions.Name"/>,
/// <see cref="LinearProbeOptions.Name"/>).</summary>
/// <param name="KnnTop1">kNN top-1 (0–1).</param>
/// <param name="LinearTop1">Linear-probe top-1 (0–1).</param>
/// <param name="KnnProtocol">The kNN protocol's name, e.g. <c>knn:cosine:k=200:t=0.1</c>.</param>
/// <param name="LinearProtocol">The linear protocol's name, e.g. <c>linear:adam:l2=0.0001:steps=500:lr=0.05</c>.</param>
public sealed record FrozenScores(double KnnTop1, double LinearTop1, string KnnProtocol, string LinearProtocol);

/// <summary>
/// The evaluation protocol on an encoder's frozen backbone features: the features of a labelled set and a test set are
/// extracted once (<see cref="FrozenFeatures"/>), then the protocol's kNN (<see cref="MoCo.Evaluation.Knn"/>, the code
/// <c>moco probe</c> runs) and the linear probe (<see cref="LinearProbe"/>, Adam) are scored on the same features.
/// </summary>
public static class FrozenEvaluation
{
    /// <summary>kNN and linear-probe top-1 of <paramref name="encoder"/>'s features: <paramref name="labelled"/> is the
    /// kNN bank and the probe's training set, <paramref name="test"/> is classified by both.</summary>
    public static FrozenScores Evaluate(ResNet encoder, ILabelledImages labelled, ILabelledImages test, Device device, KnnOptions? knn = null,
        LinearProbeOptions? linear = null)
    {
        ArgumentNullException.ThrowIfNull(labelled);
        ArgumentNullException.ThrowIfNull(test);
        knn ??= new KnnOptions();
        linear ??= new LinearProbeOptions();
        var (train, trainLabels) = Features(encoder, labelled, device);
        var (held, testLabels) = Features(encoder, test, device);
        int classes = Math.Max(labelled.Classes, test.Classes);
        var probe = LinearProbe.Fit(train, trainLabels, classes, linear);
        return new FrozenScores(KnnTop1(train, trainLabels, held, testLabels, classes, knn), probe.Accuracy(held, testLabels), knn.Name, probe.Protocol);
    }

    /// <summary>kNN top-1 of <paramref name="test"/> against the bank <paramref name="bank"/> (raw features; the vote
    /// normalises them): the figure <c>moco probe</c> reports on the same features.</summary>
    public static double KnnTop1(FeatureMatrix bank, IReadOnlyList<int> bankLabels, FeatureMatrix test, IReadOnlyList<int> testLabels, int classes, KnnOptions? knn = null) =>
        Accuracy.Top1(testLabels, MoCo.Evaluation.Knn.Classify(test, bank, bankLabels, classes, knn));

    private static (FeatureMatrix, int[]) Features(ResNet encoder, ILabelledImages set, Device device)
    {
        var (features, labels) = FrozenFeatures.Extract(encoder, set, device);
        using (features) return (FeatureTensors.ToMatrix(features), FeatureTensors.ToClasses(labels));
    }
}
