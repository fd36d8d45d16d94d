namespace MoCo.MLNet.Probing;

/// <summary>
/// Multiclass figures of one classifier on labelled data, defined as ML.NET's multiclass evaluator defines them (and
/// tested against it): micro accuracy (fraction right), macro accuracy (mean per-class recall over the classes present),
/// log-loss (mean −ln max(p_true, 1e-15)), per-class precision and recall, and the confusion matrix.
/// </summary>
/// <param name="Count">Rows evaluated.</param>
/// <param name="MicroAccuracy">Right predictions / rows.</param>
/// <param name="MacroAccuracy">Mean recall over the classes present.</param>
/// <param name="LogLoss">Null when the classifier gives no probabilities (kNN).</param>
/// <param name="Precision">Per class: right predictions of the class / predictions of the class (0 when never predicted).</param>
/// <param name="Recall">Per class: right predictions of the class / rows of the class (0 when absent).</param>
/// <param name="Confusion">[true class, predicted class] counts.</param>
internal sealed record ProbeMetrics(int Count, double MicroAccuracy, double MacroAccuracy, double? LogLoss, double[] Precision, double[] Recall, long[,] Confusion)
{
    /// <summary>ML.NET's floor under a probability before its log.</summary>
    private const double Epsilon = 1e-15;

    /// <summary>The figures of <paramref name="predicted"/> against <paramref name="truth"/>.</summary>
    /// <param name="truth">True classes in [0, classes).</param>
    /// <param name="predicted">Predicted classes in [0, classes).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="probabilities">Optional row-major N × classes class probabilities (for the log-loss).</param>
    public static ProbeMetrics From(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classes, float[]? probabilities = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count || truth.Count == 0)
        {
            throw new ArgumentException($"{truth.Count} labels and {predicted.Count} predictions (needs the same, non-zero, count).");
        }

        if (probabilities is not null && probabilities.Length != truth.Count * classes)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities for {truth.Count} rows of {classes} classes.", nameof(probabilities));
        }

        var confusion = new long[classes, classes];
        long right = 0;
        double logLoss = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            int t = truth[i], p = predicted[i];
            if ((uint)t >= (uint)classes || (uint)p >= (uint)classes)
            {
                throw new ArgumentException($"row {i}: class {t} or prediction {p} is outside [0, {classes}).");
            }

            confusion[t, p]++;
            right += t == p ? 1 : 0;
            if (probabilities is not null)
            {
                logLoss -= Math.Log(Math.Max(probabilities[(i * classes) + t], Epsilon));
            }
        }

        var precision = new double[classes];
        var recall = new double[classes];
        double recallSum = 0;
        var present = 0;
        for (var c = 0; c < classes; c++)
        {
            long rowSum = 0, columnSum = 0;
            for (var o = 0; o < classes; o++)
            {
                rowSum += confusion[c, o];
                columnSum += confusion[o, c];
            }

            precision[c] = columnSum > 0 ? (double)confusion[c, c] / columnSum : 0;
            recall[c] = rowSum > 0 ? (double)confusion[c, c] / rowSum : 0;
            if (rowSum > 0)
            {
                recallSum += recall[c];
                present++;
            }
        }

        return new ProbeMetrics(truth.Count, (double)right / truth.Count, recallSum / present,
            probabilities is null ? null : logLoss / truth.Count, precision, recall, confusion);
    }
}
