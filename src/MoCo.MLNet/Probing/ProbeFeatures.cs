using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>The frozen features of a probe's training and test images and their class indices
/// (<see cref="Prober.Featurise"/>): computed once, then reused by every classifier and label budget.</summary>
internal sealed record ProbeFeatures
{
    /// <summary>Class names; the labels index them.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The training pool's features (rows in source order).</summary>
    public required FeatureMatrix TrainFeatures { get; init; }

    /// <summary>The class index of each training row.</summary>
    public required int[] TrainLabels { get; init; }

    public required FeatureMatrix TestFeatures { get; init; }

    public required int[] TestLabels { get; init; }

    /// <summary>How long the encoder took for both sets.</summary>
    public TimeSpan FeaturiseTime { get; init; }
}
