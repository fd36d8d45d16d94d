namespace MoCo.Evaluation;

/// <summary>
/// The linear probe's standardisation of frozen features, fitted on the training features:
/// z_d = (x_d − μ_d) · s_d with μ_d the mean and s_d = 1 / σ_d (float32), σ_d the population standard deviation
/// (divided by N), both accumulated in double (Welford, rows in order) and rounded to float32; a feature with σ_d = 0
/// maps to 0 (s_d = 0). This is ML.NET's <c>NormalizeMeanVariance(fixZero: false)</c> exactly as ML.NET defines it,
/// so every trainer of the protocol (Adam in MoCo.Training, L-BFGS and SDCA in MoCo.MLNet) sees the same inputs.
/// </summary>
public sealed class Standardization
{
    private readonly float[] _mean;
    private readonly float[] _scale;

    private Standardization(float[] mean, float[] scale)
    {
        _mean = mean;
        _scale = scale;
    }

    /// <summary>Per-feature mean μ (D).</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-feature multiplier s = 1/σ, 0 for a constant feature (D).</summary>
    public IReadOnlyList<float> Scale => _scale;

    /// <summary>Fits μ and s on <paramref name="features"/> (at least one row).</summary>
    /// <exception cref="ArgumentException">No rows.</exception>
    public static Standardization Fit(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rows == 0)
        {
            throw new ArgumentException("standardisation needs at least one row.", nameof(features));
        }

        int d = features.Columns;
        var mean = new double[d];
        var m2 = new double[d];
        for (var i = 0; i < features.Rows; i++)
        {
            ReadOnlySpan<float> row = features.Row(i);
            double n = i + 1;
            for (var j = 0; j < d; j++)
            {
                double x = row[j], delta = x - mean[j];
                mean[j] += delta / n;
                m2[j] += delta * (x - mean[j]);
            }
        }

        var meanF = new float[d];
        var scale = new float[d];
        for (var j = 0; j < d; j++)
        {
            var sigma = Math.Sqrt(m2[j] / features.Rows);
            meanF[j] = (float)mean[j];
            scale[j] = m2[j] == 0 ? 0f : 1f / (float)sigma;
        }

        return new Standardization(meanF, scale);
    }

    /// <summary>Standardised copy of <paramref name="features"/>.</summary>
    /// <exception cref="ArgumentException">Another number of features than fitted.</exception>
    public FeatureMatrix Apply(FeatureMatrix features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Columns != _mean.Length)
        {
            throw new ArgumentException($"expected features of shape [N, {_mean.Length}], got [{features.Rows}, {features.Columns}].", nameof(features));
        }

        var result = new FeatureMatrix(new float[features.Values.Length], features.Rows, features.Columns);
        for (var i = 0; i < features.Rows; i++)
        {
            ReadOnlySpan<float> x = features.Row(i);
            var z = result.Row(i);
            for (var j = 0; j < x.Length; j++)
            {
                z[j] = (x[j] - _mean[j]) * _scale[j];
            }
        }

        return result;
    }
}
