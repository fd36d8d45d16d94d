using MoCo.Evaluation;

namespace MoCo.Search.Dedup;

/// <summary>
/// Rows minus the store's mean row, scaled to unit length. Backbone features after the last ReLU all point roughly the
/// same way (nearest distinct neighbours at raw cosine 0.98–0.998 on Fashion-MNIST, shared/PACKAGE-NOTES.md), so raw
/// cosine spends its range on the shared direction; taking the mean out leaves the directions in which images differ,
/// where a copy and a distinct image are far apart.
/// </summary>
internal static class CentredFeatures
{
    /// <summary>The column means of <paramref name="features"/> (accumulated in double).</summary>
    public static float[] Mean(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var sum = new double[features.Columns];
        for (var r = 0; r < features.Rows; r++)
        {
            var row = features.Row(r);
            for (var d = 0; d < sum.Length; d++)
            {
                sum[d] += row[d];
            }
        }

        return sum.Select(s => (float)(s / Math.Max(1, features.Rows))).ToArray();
    }

    /// <summary>(row − mean) / ‖row − mean‖ for every row (a copy; a row equal to the mean stays zero).</summary>
    public static FeatureMatrix Of(FeatureMatrix features) => Of(features, Mean(features));

    /// <summary>(row − <paramref name="mean"/>) / ‖row − mean‖ for every row (a copy).</summary>
    public static FeatureMatrix Of(FeatureMatrix features, float[] mean)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(mean);
        var centred = new FeatureMatrix((float[])features.Values.Clone(), features.Rows, features.Columns);
        for (var r = 0; r < centred.Rows; r++)
        {
            var row = centred.Row(r);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, mean, row);
        }

        return centred.L2Normalised();
    }

    /// <summary>
    /// Writes (<paramref name="features"/> − <paramref name="mean"/>) / ‖…‖ to <paramref name="unit"/>, for features made
    /// after the store (a planted copy, a crop view) to compare with its centred rows; false, leaving
    /// <paramref name="unit"/> undefined, when the features hold a NaN (a bad image) or equal the mean.
    /// </summary>
    public static bool TryCentre(ReadOnlySpan<float> features, float[] mean, Span<float> unit)
    {
        ArgumentNullException.ThrowIfNull(mean);
        System.Numerics.Tensors.TensorPrimitives.Subtract(features, mean, unit);
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(unit);
        if (!(norm > 0) || float.IsInfinity(norm))
        {
            return false;
        }

        System.Numerics.Tensors.TensorPrimitives.Divide(unit, norm, unit);
        return true;
    }
}
