namespace MoCo.MLNet.Probing;

/// <summary>
/// The consumption file Model Builder writes next to a model (<c>ModelInput</c>, <c>ModelOutput</c>, a lazily created
/// <c>PredictionEngine</c> and <c>Predict</c>), for a probe's model: an encoded image in, a class name out.
/// </summary>
internal static class ConsumptionCode
{
    /// <summary>The C# source of class <paramref name="className"/> reading <paramref name="zipName"/> next to the program.</summary>
    /// <param name="className">The class to write.</param>
    /// <param name="zipName">The model zip's file name.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="writer">The command that wrote the model (default <c>moco probe</c>).</param>
    /// <param name="pipeline">What the pipeline does after reading the image (default the probe's).</param>
    public static string Render(string className, string zipName, int classes, string writer = "moco probe",
        string pipeline = "MoCoFeatures on the image, then a\n// linear classifier")
    {
        ArgumentException.ThrowIfNullOrEmpty(className);
        ArgumentException.ThrowIfNullOrEmpty(zipName);
        return $$"""
            // Written by `{{writer}}`. Uses the model {{zipName}} (an ML.NET pipeline: {{pipeline}}); needs the packages Microsoft.ML, Microsoft.ML.OnnxTransformer, Microsoft.ML.ImageAnalytics,
            // Microsoft.ML.OnnxRuntime and MoCo.MLNet (whose custom mappings the model names), and {{zipName}} copied next to
            // the program.
            //
            //     var input = new {{className}}.ModelInput { ImageSource = File.ReadAllBytes("photo.jpg") };
            //     {{className}}.ModelOutput output = {{className}}.Predict(input);
            //     Console.WriteLine(output.PredictedLabel);
            //
            // For many images, MoCo.MLNet.MoCoModel.RestoreBatching(loaded, schema) puts the batched featuriser back.
            using System;
            using System.IO;
            using Microsoft.ML;
            using Microsoft.ML.Data;

            public partial class {{className}}
            {
                /// <summary>Model input: an encoded image (JPEG or PNG file bytes) and, for evaluation only, its class.</summary>
                public class ModelInput
                {
                    [ColumnName(@"{{ProbeColumns.Image}}")]
                    public byte[] ImageSource { get; set; } = [];

                    [ColumnName(@"{{ProbeColumns.Label}}")]
                    public string Label { get; set; } = "";
                }

                /// <summary>Model output: the predicted class and the probability of each of the {{classes}} classes (in training order).</summary>
                public class ModelOutput
                {
                    [ColumnName(@"{{ProbeColumns.PredictedLabel}}")]
                    public string PredictedLabel { get; set; } = "";

                    [ColumnName(@"{{ProbeColumns.Score}}")]
                    public float[] Score { get; set; } = [];
                }

                private static readonly string MLNetModelPath = Path.Combine(AppContext.BaseDirectory, "{{zipName}}");

                public static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictEngine = new(CreatePredictEngine, true);

                /// <summary>Predicts the class of one image.</summary>
                public static ModelOutput Predict(ModelInput input) => PredictEngine.Value.Predict(input);

                private static PredictionEngine<ModelInput, ModelOutput> CreatePredictEngine()
                {
                    var mlContext = new MLContext();
                    ITransformer mlModel = mlContext.Model.Load(MLNetModelPath, out _);
                    return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(mlModel);
                }
            }

            """;
    }
}
