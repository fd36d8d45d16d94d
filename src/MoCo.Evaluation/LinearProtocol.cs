using System.Globalization;

namespace MoCo.Evaluation;

/// <summary>
/// The linear classification protocol on frozen features (MoCo §4.1, at a small scale), defined once for every trainer:
/// the training features are standardised (<see cref="Standardization"/>), then a multinomial logistic regression
/// score_c(z) = Σ_d z_d·W[d, c] + b_c is fitted to minimise
/// <code>J(W, b) = (1/N) Σ_i −log softmax(z_i·W + b)[y_i] + (λ/2)·‖W‖²</code>
/// (mean cross-entropy; L2 on the weights, not on the biases; no L1), λ = <see cref="DefaultL2"/> unless set. The
/// prediction is argmax_c score_c. Trainers differ only in how closely they reach the minimum (<see cref="LinearTrainer"/>);
/// figures carry <see cref="Name"/> so they say which one produced them.
/// </summary>
public static class LinearProtocol
{
    /// <summary>The default λ: 1e-4 (the features are standardised).</summary>
    public const double DefaultL2 = 1e-4;

    /// <summary>The protocol's name for figures, e.g. <c>linear:lbfgs:l2=0.0001</c>, with <paramref name="detail"/>
    /// (a trainer's own settings, e.g. <c>steps=500:lr=0.05</c>) appended when given.</summary>
    public static string Name(LinearTrainer trainer, double l2, string? detail = null) =>
        string.Create(CultureInfo.InvariantCulture, $"linear:{LinearTrainerNames.Format(trainer)}:l2={l2:R}") + (string.IsNullOrEmpty(detail) ? "" : ":" + detail);

    /// <summary>Refuses a λ that is negative or not finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ is out of range.</exception>
    public static void ValidateL2(double l2)
    {
        if (!(l2 >= 0) || double.IsInfinity(l2))
        {
            throw new ArgumentOutOfRangeException(nameof(l2), l2, "the probe's L2 weight must be non-negative and finite.");
        }
    }

    /// <summary>
    /// J(W, b) of the protocol in double precision, on <paramref name="standardised"/> features (N × D, already
    /// standardised): the reference every trainer's result is measured against.
    /// </summary>
    /// <param name="standardised">N × D standardised features.</param>
    /// <param name="labels">N labels in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes C.</param>
    /// <param name="weight">W, D × C row-major.</param>
    /// <param name="bias">b (C).</param>
    /// <param name="l2">λ.</param>
    public static double Objective(FeatureMatrix standardised, IReadOnlyList<int> labels, int classes, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, double l2)
    {
        ArgumentNullException.ThrowIfNull(standardised);
        ArgumentNullException.ThrowIfNull(labels);
        CheckLabels(standardised.Rows, labels, classes);
        int d = standardised.Columns;
        if (weight.Length != d * classes || bias.Length != classes)
        {
            throw new ArgumentException($"W has {weight.Length} values and b {bias.Length}; expected {d} x {classes} and {classes}.");
        }

        var scores = new double[classes];
        double loss = 0;
        for (var i = 0; i < standardised.Rows; i++)
        {
            ReadOnlySpan<float> z = standardised.Row(i);
            for (var c = 0; c < classes; c++)
            {
                double s = bias[c];
                for (var j = 0; j < d; j++)
                {
                    s += (double)z[j] * weight[(j * classes) + c];
                }

                scores[c] = s;
            }

            var max = scores.Max();
            double sum = 0;
            foreach (var s in scores)
            {
                sum += Math.Exp(s - max);
            }

            loss += max + Math.Log(sum) - scores[labels[i]];
        }

        double norm = 0;
        foreach (var w in weight)
        {
            norm += (double)w * w;
        }

        return (loss / standardised.Rows) + (l2 / 2 * norm);
    }

    /// <summary>Refuses no rows, a row count other than the labels', fewer than 2 classes and labels outside [0, classes).</summary>
    /// <exception cref="ArgumentException">The labels do not fit.</exception>
    public static void CheckLabels(int rows, IReadOnlyList<int> labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (rows == 0)
        {
            throw new ArgumentException("no samples.");
        }

        if (rows != labels.Count)
        {
            throw new ArgumentException($"{rows} feature rows but {labels.Count} labels.");
        }

        if (classes < 2)
        {
            throw new ArgumentException($"a probe needs at least 2 classes, got {classes}.");
        }

        foreach (var l in labels)
        {
            if ((uint)l >= (uint)classes)
            {
                throw new ArgumentException($"label {l} is outside [0, {classes}).");
            }
        }
    }
}
