using Microsoft.ML;
using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>What a probe found: the figures of the linear classifier and of kNN on the test rows, and the fitted pipeline.</summary>
internal sealed record ProbeResult : IDisposable
{
    public required IReadOnlyList<string> Classes { get; init; }

    public int TrainCount { get; init; }

    public int TestCount { get; init; }

    public int FeatureDimension { get; init; }

    /// <summary>"sdca" or "lbfgs"; null when only kNN ran.</summary>
    public string? Trainer { get; init; }

    /// <summary>With auto: each trainer's accuracy on the held-out training rows.</summary>
    public IReadOnlyDictionary<string, double>? Validation { get; init; }

    public ProbeMetrics? Linear { get; init; }

    public required ProbeMetrics Knn { get; init; }

    public int KnnK { get; init; } = KnnOptions.DefaultK;

    public float KnnTemperature { get; init; } = KnnOptions.DefaultTemperature;

    /// <summary>The kNN protocol's name (<see cref="KnnOptions.Name"/>).</summary>
    public string KnnProtocol { get; init; } = new KnnOptions().Name;

    /// <summary>The linear protocol's name with the trainer that produced <see cref="Linear"/>
    /// (<see cref="LinearProtocol.Name"/>, e.g. <c>linear:lbfgs:l2=0.0001</c>); null when only kNN ran.</summary>
    public string? LinearProtocol { get; init; }

    /// <summary>True class index of each test row.</summary>
    public required int[] TestLabels { get; init; }

    public int[]? LinearPredictions { get; init; }

    public required int[] KnnPredictions { get; init; }

    /// <summary>The whole pipeline (image bytes in, <c>PredictedLabel</c> and <c>Score</c> out); null when only kNN ran.</summary>
    public ITransformer? Model { get; init; }

    /// <summary>The schema the model takes (the training data's).</summary>
    public DataViewSchema? InputSchema { get; init; }

    public TimeSpan FeaturiseTime { get; init; }

    public TimeSpan KnnTime { get; init; }

    public TimeSpan TrainTime { get; init; }

    /// <summary>The features step of <see cref="Model"/>.</summary>
    public MoCoFeaturesTransformer? Featurizer { get; init; }

    /// <summary>Releases the encoder's ONNX Runtime session.</summary>
    public void Dispose() => Featurizer?.Dispose();
}
