namespace MoCo.Evaluation;

/// <summary>Top-1 accuracy, the figure both classifiers of the protocol report.</summary>
public static class Accuracy
{
    /// <summary>Top-1 accuracy (0–1): the fraction of <paramref name="predicted"/> equal to <paramref name="truth"/>.</summary>
    /// <exception cref="ArgumentException">The counts differ or are zero.</exception>
    public static double Top1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count || truth.Count == 0)
        {
            throw new ArgumentException($"{truth.Count} labels and {predicted.Count} predictions (needs the same, non-zero, count).");
        }

        var right = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            right += truth[i] == predicted[i] ? 1 : 0;
        }

        return (double)right / truth.Count;
    }
}
