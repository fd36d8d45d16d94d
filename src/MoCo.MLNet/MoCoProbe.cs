using Microsoft.ML;
using Microsoft.ML.Data;

namespace MoCo.MLNet;

/// <summary>The multiclass trainer <see cref="MoCoProbe.LinearProbe"/> puts on the frozen features.</summary>
public enum MoCoProbeTrainer
{
    /// <summary>L-BFGS multinomial logistic regression (<c>LbfgsMaximumEntropy</c>): the MoCo linear protocol's classifier. Default.</summary>
    Lbfgs,

    /// <summary>SDCA multinomial logistic regression (<c>SdcaMaximumEntropy</c>).</summary>
    Sdca,
}

/// <summary>
/// The MoCo linear classification protocol in ML.NET: frozen encoder features, standardised, then a multinomial
/// logistic regression; image in, label out.
/// </summary>
public static class MoCoProbe
{
    /// <summary>
    /// <c>MoCoFeatures → AppendCacheCheckpoint → NormalizeMeanVariance → MapValueToKey(label) → trainer →
    /// MapKeyToValue(PredictedLabel)</c>. The cache keeps the trainer's passes over the data from re-running the encoder
    /// (SDCA and L-BFGS iterate many times).
    /// </summary>
    /// <param name="ml">The context.</param>
    /// <param name="features">The MoCoFeatures settings (model, image column; the output column is the features).</param>
    /// <param name="labelColumnName">The label column (any type <c>MapValueToKey</c> takes); default "Label".</param>
    /// <param name="trainer">Default <see cref="MoCoProbeTrainer.Lbfgs"/>.</param>
    /// <param name="l2Regularization">L2 weight; default 1e-4 (features are standardised).</param>
    /// <returns>An estimator whose transformer adds <c>PredictedLabel</c> (the label's type) and <c>Score</c>.</returns>
    public static IEstimator<ITransformer> LinearProbe(MLContext ml, MoCoFeaturesOptions features, string labelColumnName = "Label",
        MoCoProbeTrainer trainer = MoCoProbeTrainer.Lbfgs, float l2Regularization = 1e-4f)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(features);
        var column = features.OutputColumnName;
        return ml.Transforms.MoCoFeatures(features)
            .AppendCacheCheckpoint(ml)
            .Append(Head(ml, column, labelColumnName, trainer, l2Regularization))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }

    /// <summary>
    /// The classifier on a features column: <c>NormalizeMeanVariance → MapValueToKey(label → Label.Key) → trainer</c>,
    /// whose <c>PredictedLabel</c> is still a key (classes in <paramref name="keyData"/>'s order when given).
    /// </summary>
    internal static IEstimator<ITransformer> Head(MLContext ml, string featuresColumn, string labelColumnName, MoCoProbeTrainer trainer,
        float l2Regularization, IDataView? keyData = null)
    {
        var normalised = featuresColumn + ".Standardized";
        var pipeline = ml.Transforms.NormalizeMeanVariance(normalised, featuresColumn)
            .Append(ml.Transforms.Conversion.MapValueToKey(LabelKey, labelColumnName, keyData: keyData));
        IEstimator<ITransformer> classifier = trainer switch
        {
            MoCoProbeTrainer.Lbfgs => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(LabelKey, normalised, l2Regularization: l2Regularization),
            MoCoProbeTrainer.Sdca => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(LabelKey, normalised, l2Regularization: l2Regularization),
            _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, null),
        };
        return pipeline.Append(classifier);
    }

    /// <summary>The key column of the label.</summary>
    internal const string LabelKey = "Label.Key";
}
