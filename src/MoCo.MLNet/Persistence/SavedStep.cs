using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.Input;
using MoCo.MLNet.Runtime;
using MoCo.Onnx;
using MoCo.Onnx.Writer;

namespace MoCo.MLNet.Persistence;

/// <summary>
/// The form a fitted MoCoFeatures step takes in a model zip: ML.NET's own transformers only (ML.NET keeps the
/// save/load machinery internal), so the zip loads with <c>mlContext.Model.Load</c> wherever ML.NET and this assembly
/// are present, with no side files:
/// <code>
/// CopyColumns(input → MoCo.Image)
/// [MLImage only] CustomMapping MLImage → MoCo.Rgb, MoCo.RgbShape
/// ApplyOnnxModel(settings graph: a constant MoCo.Params [+ MoCo.Folder])
/// CustomMapping → MoCo.Crop, MoCo.Invalid          (decode, resize, centre crop: MoCo.Imaging, exact)
/// ApplyOnnxModel(encoder graph → output)            (the same graph the batched runtime runs)
/// DropColumns(MoCo.*)
/// </code>
/// Preprocessed float inputs need only the encoder graph. After a load these run one row at a time;
/// <see cref="MoCoModel.RestoreBatching"/> swaps the batched runtime back in.
/// </summary>
internal static class SavedStep
{
    /// <summary>Metadata key of the settings graph.</summary>
    public const string SettingsMarkerKey = "moco.mlnet.settings";

    /// <summary>The estimator chain of the saved form (all trivial estimators: fitting only checks the schema).</summary>
    /// <param name="ml">The context the built-in estimators are made in.</param>
    /// <param name="step">The fitted step.</param>
    /// <param name="inputType">The image column's type (its instance: ML.NET compares custom types by reference when fitting).</param>
    public static IEstimator<ITransformer> Estimator(MLContext ml, FittedStep step, DataViewType inputType)
    {
        var kind = step.Kind;
        var options = step.Settings;
        var encoderGraph = step.Graph;
        var output = options.OutputColumn;
        var inputColumn = options.InputColumn;
        // One flat chain (IEstimator.Append would nest them), so a loaded model holds the step as one chain.
        var chain = new EstimatorChain<ITransformer>().Append<ITransformer>(ml.Transforms.CopyColumns(SavedColumns.Image, inputColumn));
        var dropped = new List<string> { SavedColumns.Image, SavedColumns.Params };
        if (kind == ImageColumnKind.Preprocessed)
        {
            return chain.Append<ITransformer>(ml.Transforms.ApplyOnnxModel([output], [SavedColumns.Image], new MemoryStream(encoderGraph)))
                .Append<ITransformer>(ml.Transforms.DropColumns(SavedColumns.Image));
        }

        var settings = new SavedParams(step.Preprocessing.ResizeShorterSide, step.Preprocessing.CropSize, step.Preprocessing.Channels, options.BadImages, options.ScaledJpegDecode);
        switch (kind)
        {
            case ImageColumnKind.Path:
                chain = chain
                    .Append<ITransformer>(ml.Transforms.ApplyOnnxModel([SavedColumns.Params, SavedColumns.Folder], [SavedColumns.Image],
                        new MemoryStream(SettingsGraph(OnnxElementType.String, [1, 1], settings, options.ImageFolder ?? ""))))
                    .Append<ITransformer>(ml.Transforms.CustomMapping(new SavedPathCropMapping().GetMapping(), SavedPathCropMapping.ContractName));
                dropped.Add(SavedColumns.Folder);
                break;
            case ImageColumnKind.EncodedBytes:
                chain = chain
                    .Append<ITransformer>(ml.Transforms.ApplyOnnxModel([SavedColumns.Params], [SavedColumns.Image],
                        new MemoryStream(SettingsGraph(OnnxElementType.UInt8, [1, -1], settings, null))))
                    .Append<ITransformer>(ml.Transforms.CustomMapping(new SavedBytesCropMapping().GetMapping(), SavedBytesCropMapping.ContractName));
                break;
            case ImageColumnKind.MLImage:
                chain = chain
                    .Append<ITransformer>(ml.Transforms.CustomMapping(new SavedMLImageRgbMapping().GetMapping(), SavedMLImageRgbMapping.ContractName, ImageInput(inputType)))
                    .Append<ITransformer>(ml.Transforms.ApplyOnnxModel([SavedColumns.Params], [SavedColumns.RgbShape],
                        new MemoryStream(SettingsGraph(OnnxElementType.Int32, [3], settings, null))))
                    .Append<ITransformer>(ml.Transforms.CustomMapping(new SavedRgbCropMapping().GetMapping(), SavedRgbCropMapping.ContractName));
                dropped.Add(SavedColumns.Rgb);
                dropped.Add(SavedColumns.RgbShape);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        dropped.Add(SavedColumns.Crop);
        dropped.Add(SavedColumns.Invalid);
        return chain.Append<ITransformer>(ml.Transforms.ApplyOnnxModel([output], [SavedColumns.Crop, SavedColumns.Invalid], new MemoryStream(encoderGraph)))
            .Append<ITransformer>(ml.Transforms.DropColumns(dropped.ToArray()));
    }

    /// <summary>
    /// A graph whose input (the row's image column, unused) only lets ML.NET run it, and whose outputs are constants:
    /// MoCo.Params and, for paths, MoCo.Folder.
    /// </summary>
    private static byte[] SettingsGraph(OnnxElementType inputType, long[] inputDims, SavedParams settings, string? folder)
    {
        var g = new OnnxGraphBuilder("moco_settings");
        var input = inputType == OnnxElementType.Int32 ? SavedColumns.RgbShape : SavedColumns.Image;
        g.Input(input, inputType, inputDims);
        g.Output(g.ConstantFloats(settings.ToVector(), SavedColumns.ParamsLength), SavedColumns.Params, OnnxElementType.Float, SavedColumns.ParamsLength);
        if (folder is not null)
        {
            g.Output(g.ConstantStrings(folder), SavedColumns.Folder, OnnxElementType.String, 1);
        }

        return g.ToBytes(new OnnxModelProperties
        {
            Metadata = new Dictionary<string, string> { [SettingsMarkerKey] = SavedParams.Format.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Description = "MoCo.MLNet MoCoFeatures settings",
        });
    }

    /// <summary>The MLImage mapping's input definition bound to the column's own image type (the attribute's type serves after a load).</summary>
    private static SchemaDefinition ImageInput(DataViewType inputType)
    {
        var definition = SchemaDefinition.Create(typeof(SavedMLImageRow), SchemaDefinition.Direction.Read);
        definition[SavedColumns.Image].ColumnType = inputType;
        return definition;
    }
}
