using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Probing;
using MoCo.Onnx.Editing;

namespace MoCo.MLNet.Classifier;

/// <summary>
/// A fine-tuned classifier as an ML.NET model, built from built-in steps and this assembly's saved mappings so that
/// <c>mlContext.Model.Load</c> reads it with ML.NET and MoCo.MLNet alone: <c>MoCoFeatures</c> running the classifier's
/// probabilities graph (<see cref="OnnxClassifier"/>'s one-output form: decode, resize, centre crop and normalise as its
/// <c>moco.*</c> metadata says) into <c>Score</c> → <see cref="ArgMaxMapping"/> (<c>PredictedIndex</c>) →
/// <c>MapValue</c> (index → class name, <c>PredictedLabel</c>) → drop <c>PredictedIndex</c>. Encoded image bytes in
/// (<c>ImageSource</c>, as the probe's model.zip), <c>PredictedLabel</c> and <c>Score</c> out.
/// </summary>
internal static class ClassifierModel
{
    /// <summary>The model zip's file name in a fine-tuning run's directory.</summary>
    public const string FileName = "model.zip";

    /// <summary>The consumption file's name.</summary>
    public const string ConsumptionFile = "MoCoClassifierModel.consumption.cs";

    /// <summary>The fitted pipeline and its input schema.</summary>
    /// <param name="ml">The context.</param>
    /// <param name="probabilitiesModel">The classifier's ONNX with the one output "probabilities" and <c>moco.*</c> metadata, class names included.</param>
    /// <param name="batchSize">Images per ONNX Runtime call of the batched featuriser (MoCoFeatures' <c>BatchSize</c>).</param>
    /// <exception cref="ArgumentException">The model is not such a classifier (no class names, or not one output per class).</exception>
    public static (ITransformer Model, DataViewSchema InputSchema) Build(MLContext ml, byte[] probabilitiesModel, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(probabilitiesModel);
        var file = OnnxModelFile.Parse(probabilitiesModel, "(classifier)");
        var classes = OnnxClassifier.ClassNamesOf(file.Metadata, "(classifier)")
            ?? throw new ArgumentException($"the classifier's ONNX carries no {MoCo.Onnx.Metadata.EncoderMetadataKeys.ClassNames} metadata");
        if (file.Outputs.Count != 1 || file.Outputs[0].Shape.Count != 2 || file.Outputs[0].Shape[1] != classes.Count)
            throw new ArgumentException($"the classifier's ONNX must give one output [N, {classes.Count}] of probabilities, it gives {string.Join(", ", file.Outputs)}");

        var features = new MoCoFeaturesOptions
        {
            ModelBytes = probabilitiesModel, InputColumnName = ClassifierColumns.Image, OutputColumnName = ClassifierColumns.Score, BatchSize = batchSize,
        };
        var names = classes.Select((name, index) => new KeyValuePair<int, string>(index, name)).ToList();
        var pipeline = ml.Transforms.MoCoFeatures(features)
            .Append(ml.Transforms.CustomMapping(new ArgMaxMapping().GetMapping(), ArgMaxMapping.ContractName))
            .Append(ml.Transforms.Conversion.MapValue(ClassifierColumns.PredictedLabel, names, ClassifierColumns.PredictedIndex))
            .Append(ml.Transforms.DropColumns(ClassifierColumns.PredictedIndex));
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ClassifierInput>());
        return (pipeline.Fit(empty), empty.Schema);
    }

    /// <summary>Builds the model and writes the zip and its consumption code into <paramref name="directory"/>; returns the paths.</summary>
    public static IReadOnlyList<string> Write(byte[] probabilitiesModel, string directory, int classes)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var ml = new MLContext(seed: 0);
        var (model, schema) = Build(ml, probabilitiesModel);
        string zip = Path.Combine(directory, FileName), temporary = zip + ".tmp";
        ml.Model.Save(model, schema, temporary);
        File.Move(temporary, zip, overwrite: true);
        string code = Path.Combine(directory, ConsumptionFile);
        File.WriteAllText(code, ConsumptionCode.Render("MoCoClassifierModel", FileName, classes, "moco finetune",
            "MoCoFeatures running the fine-tuned\n// classifier (encoder + linear head) on the image"));
        return [zip, code];
    }

    /// <summary>The model's input row: an encoded image.</summary>
    private sealed class ClassifierInput
    {
        [ColumnName(ClassifierColumns.Image)]
        public byte[] ImageSource { get; set; } = [];
    }
}
