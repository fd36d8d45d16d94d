using TorchSharp;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>Settings of <see cref="LinearProbe.Fit"/>.</summary>
public sealed record LinearProbeOptions
{
    /// <summary>Full-batch optimisation steps. Default 500.</summary>
    public int Iterations { get; init; } = 500;
    /// <summary>Adam's step size. Default 0.05 (the features are standardised).</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>L2 weight on the weights (not the bias): the loss adds L2/2·‖W‖². Default 1e-4.</summary>
    public double L2 { get; init; } = 1e-4;

    internal void Validate()
    {
        if (Iterations <= 0) throw new ArgumentException($"the probe's iterations must be positive, got {Iterations}");
        if (!(LearningRate > 0)) throw new ArgumentException($"the probe's learning rate must be positive, got {LearningRate}");
        if (!(L2 >= 0)) throw new ArgumentException($"the probe's L2 weight must be non-negative, got {L2}");
    }
}

/// <summary>
/// The linear classification protocol on frozen features (MoCo §4.1, at a small scale): the features are standardised with
/// the training set's mean and standard deviation, then a multinomial logistic regression (softmax over C classes,
/// cross-entropy, L2 on the weights) is fitted by full-batch Adam. Deterministic on the CPU. The fitted model is plain
/// arrays: score_c(x) = Σ_d ((x_d − mean_d) / scale_d) · W[d, c] + b_c, prediction argmax_c.
/// </summary>
public sealed class LinearProbe
{
    private LinearProbe(float[] mean, float[] scale, float[] weight, float[] bias, int classes, double finalLoss)
    {
        Mean = mean;
        Scale = scale;
        Weight = weight;
        Bias = bias;
        Classes = classes;
        FinalLoss = finalLoss;
    }

    /// <summary>Per-feature mean of the training features (D).</summary>
    public IReadOnlyList<float> Mean { get; }
    /// <summary>Per-feature standard deviation of the training features, floored at 1e-6 (D).</summary>
    public IReadOnlyList<float> Scale { get; }
    /// <summary>Weights, D × C row-major.</summary>
    public IReadOnlyList<float> Weight { get; }
    /// <summary>Biases (C).</summary>
    public IReadOnlyList<float> Bias { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <summary>The training objective (mean cross-entropy plus the L2 term) after the last step.</summary>
    public double FinalLoss { get; }

    /// <summary>Fits the probe on <paramref name="features"/> (N × D) with <paramref name="labels"/> in [0, classes).</summary>
    public static LinearProbe Fit(Tensor features, long[] labels, int classes, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new LinearProbeOptions();
        options.Validate();
        CheckShapes(features, labels);
        if (classes < 2) throw new ArgumentException($"a probe needs at least 2 classes, got {classes}");
        foreach (long l in labels)
            if (l < 0 || l >= classes) throw new ArgumentException($"label {l} is outside [0, {classes})");

        using var scope = NewDisposeScope();
        var x = features.to(CPU).to_type(ScalarType.Float32);
        var mean = x.mean([0]);
        var scale = x.std(0, unbiased: false).clamp_min(1e-6);
        var z = (x - mean) / scale;                                       // N × D, standardised
        var y = tensor(labels);
        long d = x.size(1);
        var weight = new TorchSharp.Modules.Parameter(zeros([d, classes]), requires_grad: true);
        var bias = new TorchSharp.Modules.Parameter(zeros([classes]), requires_grad: true);
        using var adam = optim.Adam([weight, bias], options.LearningRate);
        double loss = double.NaN;
        for (int i = 0; i < options.Iterations; i++)
        {
            using var step = NewDisposeScope();
            adam.zero_grad();
            var logits = z.mm(weight) + bias;                             // N × C
            var objective = nn.functional.cross_entropy(logits, y) + weight.pow(2).sum() * (options.L2 / 2);
            objective.backward();
            adam.step();
            loss = objective.item<float>();
        }
        return new LinearProbe(mean.data<float>().ToArray(), scale.data<float>().ToArray(), weight.detach().data<float>().ToArray(),
            bias.detach().data<float>().ToArray(), classes, loss);
    }

    /// <summary>Predicted classes of <paramref name="features"/> (N × D).</summary>
    public long[] Predict(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.size(1) != Mean.Count)
            throw new ArgumentException($"expected features of shape [N, {Mean.Count}], got [{string.Join(", ", features.shape)}]");
        using var scope = NewDisposeScope();
        var x = features.to(CPU).to_type(ScalarType.Float32);
        var z = (x - tensor(Mean.ToArray())) / tensor(Scale.ToArray());
        var logits = z.mm(tensor(Weight.ToArray()).view(Mean.Count, Classes)) + tensor(Bias.ToArray());
        return logits.argmax(1).data<long>().ToArray();
    }

    /// <summary>Top-1 accuracy (0–1) on <paramref name="features"/> with <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor features, long[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        CheckShapes(features, labels);
        long[] predicted = Predict(features);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    private static void CheckShapes(Tensor features, long[] labels)
    {
        if (features.dim() != 2) throw new ArgumentException($"expected features of shape [N, D], got [{string.Join(", ", features.shape)}]");
        if (features.size(0) != labels.Length) throw new ArgumentException($"{features.size(0)} feature rows but {labels.Length} labels");
        if (labels.Length == 0) throw new ArgumentException("no samples");
    }
}
