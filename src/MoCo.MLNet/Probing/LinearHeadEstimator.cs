using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MoCo.Evaluation;

namespace MoCo.MLNet.Probing;

/// <summary>
/// The linear protocol's head as built-in ML.NET steps, so a fitted pipeline saves and reloads as ML.NET's own:
/// <list type="bullet">
/// <item><c>NormalizeMeanVariance(fixZero: false)</c>: (x − μ)/σ with the population σ, a constant feature to 0 — the
/// protocol's <see cref="Standardization"/> (ML.NET's default, fixZero true, would divide by the root mean square instead);</item>
/// <item>L-BFGS minimises (Σ_i loss_i + L2/2·‖W‖²)/N (biases unregularised), so the protocol's λ is passed as λ·N, and
/// L1 as 0 (ML.NET's default L1 of 1 is not the protocol); N is the training rows, counted at Fit; deterministic for a
/// given core count (ML.NET sums the gradient over one chunk of rows per core);</item>
/// <item>SDCA takes the protocol's λ as it is and L1 0, on one thread (its multi-threaded updates are not deterministic);
/// it also puts λ on the biases (ML.NET's SDCA treats the bias as a feature of value 1) and stops at its duality gap, so
/// it comes near the protocol's minimum without reaching it (LinearHeadTests: 0.4–0.7% above it).</item>
/// </list>
/// </summary>
internal sealed class LinearHeadEstimator : IEstimator<ITransformer>
{
    private readonly MLContext _ml;
    private readonly string _features;
    private readonly string _label;
    private readonly LinearTrainer _trainer;
    private readonly double _l2;
    private readonly IDataView? _keyData;

    public LinearHeadEstimator(MLContext ml, string featuresColumn, string labelColumnName, LinearTrainer trainer, double l2Regularization, IDataView? keyData)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentException.ThrowIfNullOrEmpty(featuresColumn);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        LinearProtocol.ValidateL2(l2Regularization);
        if (trainer is not (LinearTrainer.Lbfgs or LinearTrainer.Sdca))
        {
            throw new NotSupportedException($"the {LinearTrainerNames.Format(trainer)} trainer of the linear protocol runs in MoCo.Training (libtorch); ML.NET's are lbfgs and sdca.");
        }

        (_ml, _features, _label, _trainer, _l2, _keyData) = (ml, featuresColumn, labelColumnName, trainer, l2Regularization, keyData);
    }

    /// <summary>The column the standardised features go to.</summary>
    public string StandardizedColumn => _features + ".Standardized";

    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Build(CountRows(input)).Fit(input);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Build(1).GetOutputSchema(inputSchema);

    private IEstimator<ITransformer> Build(long rows)
    {
        var pipeline = _ml.Transforms.NormalizeMeanVariance(StandardizedColumn, _features, fixZero: false)
            .Append(_ml.Transforms.Conversion.MapValueToKey(MoCoProbe.LabelKey, _label, keyData: _keyData));
        IEstimator<ITransformer> classifier = _trainer switch
        {
            LinearTrainer.Lbfgs => _ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = MoCoProbe.LabelKey, FeatureColumnName = StandardizedColumn, L1Regularization = 0, L2Regularization = (float)(_l2 * rows),
            }),
            _ => _ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = MoCoProbe.LabelKey, FeatureColumnName = StandardizedColumn, L1Regularization = 0, L2Regularization = (float)_l2, NumberOfThreads = 1,
            }),
        };
        return pipeline.Append(classifier);
    }

    /// <summary>The training rows N: the row count when the view knows it, else one pass over the label column.</summary>
    private long CountRows(IDataView input)
    {
        if (input.GetRowCount() is { } known)
        {
            return known;
        }

        var column = input.Schema.GetColumnOrNull(_label) ?? throw new ArgumentException($"the training data has no label column '{_label}'.");
        long rows = 0;
        using var cursor = input.GetRowCursor([column]);
        while (cursor.MoveNext())
        {
            rows++;
        }

        return rows;
    }
}
