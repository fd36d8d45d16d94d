using Microsoft.ML;

namespace MoCo.MLNet;

/// <summary>MoCo's extensions of ML.NET's catalogs.</summary>
public static class MoCoCatalog
{
    /// <summary>
    /// Adds frozen features of a MoCo encoder (an ONNX file from <c>moco export</c>) as a known-size float vector column.
    /// The image column may hold paths (text), <c>MLImage</c>s (<c>LoadImages</c>), encoded bytes
    /// (<c>LoadRawImageBytes</c>) or preprocessed float vectors. Images are preprocessed exactly as torchvision's
    /// evaluation transform, with the sizes and normalisation stored in the model.
    /// </summary>
    /// <example>
    /// <code>
    /// var pipeline = mlContext.Transforms.MoCoFeatures("Features", "ImagePath", "encoder.onnx", imageFolder: "photos")
    ///     .AppendCacheCheckpoint(mlContext)
    ///     .Append(mlContext.Transforms.Conversion.MapValueToKey("Label"))
    ///     .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy());
    /// </code>
    /// </example>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The features column to add.</param>
    /// <param name="inputColumnName">The image column.</param>
    /// <param name="modelPath">The encoder (.onnx).</param>
    /// <param name="imageFolder">Folder for relative paths; default null (as given).</param>
    public static MoCoFeaturesEstimator MoCoFeatures(this TransformsCatalog catalog, string outputColumnName, string inputColumnName, string modelPath, string? imageFolder = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        return new MoCoFeaturesEstimator(new MoCoFeaturesOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            ModelPath = modelPath,
            ImageFolder = imageFolder,
        });
    }

    /// <summary>Adds frozen MoCo encoder features, with every setting in <paramref name="options"/> (model path or bytes, batch size, threads, GPU, bad-image policy, preprocessing).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">The settings; see <see cref="MoCoFeaturesOptions"/> for defaults.</param>
    public static MoCoFeaturesEstimator MoCoFeatures(this TransformsCatalog catalog, MoCoFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MoCoFeaturesEstimator(options);
    }
}
