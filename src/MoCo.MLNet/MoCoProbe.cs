using Microsoft.ML;
using MoCo.Evaluation;
using MoCo.MLNet.Probing;

namespace MoCo.MLNet;

/// <summary>
/// The linear classification protocol (<see cref="LinearProtocol"/>) in ML.NET: frozen encoder features, standardised
/// (<see cref="Standardization"/>), then a multinomial logistic regression minimising mean cross-entropy + λ/2·‖W‖²;
/// image in, label out. The same protocol as MoCo.Training's Adam probe (<c>moco ablate</c>); the trainer is the only
/// difference, and figures name it (<see cref="LinearProtocol.Name"/>).
/// </summary>
public static class MoCoProbe
{
    /// <summary>
    /// <c>MoCoFeatures → AppendCacheCheckpoint → NormalizeMeanVariance(fixZero: false) → MapValueToKey(label) → trainer →
    /// MapKeyToValue(PredictedLabel)</c>. The cache keeps the trainer's passes over the data from re-running the encoder
    /// (SDCA and L-BFGS iterate many times).
    /// </summary>
    /// <param name="ml">The context.</param>
    /// <param name="features">The MoCoFeatures settings (model, image column; the output column is the features).</param>
    /// <param name="labelColumnName">The label column (any type <c>MapValueToKey</c> takes); default "Label".</param>
    /// <param name="trainer"><see cref="LinearTrainer.Lbfgs"/> (default) or <see cref="LinearTrainer.Sdca"/>;
    /// <see cref="LinearTrainer.Adam"/> runs in MoCo.Training (libtorch) and is refused here.</param>
    /// <param name="l2Regularization">The protocol's λ; default <see cref="LinearProtocol.DefaultL2"/> (1e-4).</param>
    /// <returns>An estimator whose transformer adds <c>PredictedLabel</c> (the label's type) and <c>Score</c>.</returns>
    /// <exception cref="NotSupportedException">The trainer is Adam.</exception>
    public static IEstimator<ITransformer> LinearProbe(MLContext ml, MoCoFeaturesOptions features, string labelColumnName = "Label",
        LinearTrainer trainer = LinearTrainer.Lbfgs, double l2Regularization = LinearProtocol.DefaultL2)
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
    /// The classifier on a features column: <c>NormalizeMeanVariance(fixZero: false) → MapValueToKey(label → Label.Key) →
    /// trainer</c>, whose <c>PredictedLabel</c> is still a key (classes in <paramref name="keyData"/>'s order when given).
    /// </summary>
    internal static IEstimator<ITransformer> Head(MLContext ml, string featuresColumn, string labelColumnName, LinearTrainer trainer,
        double l2Regularization, IDataView? keyData = null) =>
        new LinearHeadEstimator(ml, featuresColumn, labelColumnName, trainer, l2Regularization, keyData);

    /// <summary>The key column of the label.</summary>
    internal const string LabelKey = "Label.Key";
}
