using System.Text.Json;
using MoCo.Onnx.Editing;
using MoCo.Training.Export;
using MoCo.Training.Models;

namespace MoCo.Training.FineTuning;

/// <summary>
/// A fine-tuned network as an ONNX classifier: <see cref="OnnxExporter"/>'s graph of the backbone with its linear
/// classifier (fc) as the head, wrapped by <see cref="OnnxClassifier"/> into outputs <c>logits</c> and
/// <c>probabilities</c> [N, classes]; input "image" float [N, C, S, S], normalised by the caller as the metadata's
/// preprocessing says (<c>moco.*</c>: the run's input size, resize, mean and std), with the class names
/// (<c>moco.class_names</c>) and the run's config (<c>moco.config</c>).
/// </summary>
public static class ClassifierExport
{
    /// <summary>The classifier's file name in a fine-tuning run's directory.</summary>
    public const string FileName = "classifier.onnx";

    /// <summary>The classifier's model bytes.</summary>
    /// <param name="network">The fine-tuned network (its fc the classifier).</param>
    /// <param name="config">The run's config (input size, normalisation, class names).</param>
    /// <param name="probabilitiesOnly">Only the probabilities output (the form the ML.NET model runs).</param>
    public static byte[] ToBytes(ResNet network, FineTuneConfig config, bool probabilitiesOnly = false)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(config);
        var options = new OnnxExportOptions
        {
            WithHead = true, InputSize = config.InputSize, Mean = config.Mean, Std = config.Std,
            ConfigJson = JsonSerializer.Serialize(config),
        };
        byte[] logits = OnnxExporter.ToBytes(network, options);
        return OnnxClassifier.FromLogits(logits, config.Names, probabilitiesOnly, "MoCo.MLNet fine-tuned classifier (moco finetune)");
    }

    /// <summary>Writes the classifier (both outputs) to <paramref name="path"/> atomically.</summary>
    public static void Save(ResNet network, FineTuneConfig config, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = ToBytes(network, config);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
