using System.Globalization;
using TorchSharp;
using MoCo.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.Evaluation;

/// <summary>Settings of <see cref="LinearProbe.Fit(Tensor, long[], int, LinearProbeOptions?)"/>: the protocol's λ and
/// the Adam trainer's own steps and step size.</summary>
public sealed record LinearProbeOptions
{
    /// <summary>Full-batch optimisation steps. Default 500.</summary>
    public int Iterations { get; init; } = 500;
    /// <summary>Adam's step size. Default 0.05 (the features are standardised).</summary>
    public double LearningRate { get; init; } = 0.05;
    /// <summary>λ of the protocol's objective: the loss adds λ/2·‖W‖² (weights, not biases). Default
    /// <see cref="LinearProtocol.DefaultL2"/> (1e-4).</summary>
    public double L2 { get; init; } = LinearProtocol.DefaultL2;

    /// <summary>The protocol's name for these settings, e.g. <c>linear:adam:l2=0.0001:steps=500:lr=0.05</c>.</summary>
    public string Name => LinearProtocol.Name(LinearTrainer.Adam, L2, string.Create(CultureInfo.InvariantCulture, $"steps={Iterations}:lr={LearningRate:R}"));

    internal void Validate()
    {
        if (Iterations <= 0) throw new ArgumentException($"the probe's iterations must be positive, got {Iterations}");
        if (!(LearningRate > 0)) throw new ArgumentException($"the probe's learning rate must be positive, got {LearningRate}");
        if (!(L2 >= 0)) throw new ArgumentException($"the probe's L2 weight must be non-negative, got {L2}");
    }
}

/// <summary>
/// The linear classification protocol (<see cref="LinearProtocol"/>: standardised features, multinomial logistic
/// regression, mean cross-entropy + λ/2·‖W‖²) fitted by full-batch Adam in libtorch (<see cref="LinearTrainer.Adam"/>).
/// The features are standardised by the protocol's <see cref="Standardization"/> (as ML.NET's trainers see them), so
/// this trainer and <c>moco probe</c>'s L-BFGS minimise the same objective. Deterministic on the CPU. The fitted model
/// is plain arrays: score_c(x) = Σ_d ((x_d − mean_d) · scale_d) · W[d, c] + b_c, prediction argmax_c.
/// </summary>
public sealed class LinearProbe
{
    private LinearProbe(Standardization standardization, float[] weight, float[] bias, int classes, double finalLoss, string protocol)
    {
        Standardization = standardization;
        Weight = weight;
        Bias = bias;
        Classes = classes;
        FinalLoss = finalLoss;
        Protocol = protocol;
    }

    /// <summary>The standardisation fitted on the training features.</summary>
    public Standardization Standardization { get; }
    /// <summary>Per-feature mean of the training features (D).</summary>
    public IReadOnlyList<float> Mean => Standardization.Mean;
    /// <summary>Per-feature multiplier 1/σ of the training features, 0 for a constant feature (D).</summary>
    public IReadOnlyList<float> Scale => Standardization.Scale;
    /// <summary>Weights, D × C row-major.</summary>
    public IReadOnlyList<float> Weight { get; }
    /// <summary>Biases (C).</summary>
    public IReadOnlyList<float> Bias { get; }
    /// <summary>Number of classes.</summary>
    public int Classes { get; }
    /// <summary>The training objective (mean cross-entropy plus the L2 term) after the last step.</summary>
    public double FinalLoss { get; }
    /// <summary>The protocol's name of the fit (<see cref="LinearProbeOptions.Name"/>).</summary>
    public string Protocol { get; }

    /// <summary>Fits the probe on <paramref name="features"/> (N × D) with <paramref name="labels"/> in [0, classes).</summary>
    public static LinearProbe Fit(Tensor features, long[] labels, int classes, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        CheckShapes(features, labels);
        return Fit(FeatureTensors.ToMatrix(features), FeatureTensors.ToClasses(labels), classes, options);
    }

    /// <summary>Fits the probe on <paramref name="features"/> with <paramref name="labels"/> in [0, classes).</summary>
    public static LinearProbe Fit(FeatureMatrix features, IReadOnlyList<int> labels, int classes, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new LinearProbeOptions();
        options.Validate();
        LinearProtocol.CheckLabels(features.Rows, labels, classes);

        var standardization = Standardization.Fit(features);
        using var scope = NewDisposeScope();
        var z = FeatureTensors.ToTensor(standardization.Apply(features));  // N × D, standardised
        var y = tensor(labels.Select(l => (long)l).ToArray());
        long d = features.Columns;
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
        return new LinearProbe(standardization, weight.detach().data<float>().ToArray(), bias.detach().data<float>().ToArray(), classes, loss, options.Name);
    }

    /// <summary>Predicted classes of <paramref name="features"/> (N × D).</summary>
    public long[] Predict(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.size(1) != Mean.Count)
            throw new ArgumentException($"expected features of shape [N, {Mean.Count}], got [{string.Join(", ", features.shape)}]");
        return Predict(FeatureTensors.ToMatrix(features)).Select(c => (long)c).ToArray();
    }

    /// <summary>Predicted classes of <paramref name="features"/> (N × D).</summary>
    public int[] Predict(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        using var z = FeatureTensors.ToTensor(Standardization.Apply(features));
        var logits = z.mm(tensor(Weight.ToArray()).view(Mean.Count, Classes)) + tensor(Bias.ToArray());
        return logits.argmax(1).data<long>().Select(c => (int)c).ToArray();
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

    /// <summary>Top-1 accuracy (0–1) on <paramref name="features"/> with <paramref name="labels"/>.</summary>
    public double Accuracy(FeatureMatrix features, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        LinearProtocol.CheckLabels(features.Rows, labels, Math.Max(2, Classes));
        return MoCo.Evaluation.Accuracy.Top1(labels, Predict(features));
    }

    private static void CheckShapes(Tensor features, long[] labels)
    {
        if (features.dim() != 2) throw new ArgumentException($"expected features of shape [N, D], got [{string.Join(", ", features.shape)}]");
        if (features.size(0) != labels.Length) throw new ArgumentException($"{features.size(0)} feature rows but {labels.Length} labels");
        if (labels.Length == 0) throw new ArgumentException("no samples");
    }
}
