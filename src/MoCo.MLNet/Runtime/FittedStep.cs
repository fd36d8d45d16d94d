using MoCo.MLNet.Input;
using MoCo.Onnx.Editing;

namespace MoCo.MLNet.Runtime;

/// <summary>A fitted MoCoFeatures step as data: its graph (<see cref="EncoderGraphs"/>) and the settings it carries.</summary>
internal sealed record FittedStep(byte[] Graph, ImageColumnKind Kind, StepSettings Settings, MoCoPreprocessing Preprocessing, int FeatureDimension)
{
    /// <summary>Builds the step for an encoder and an input kind.</summary>
    public static FittedStep Create(EncoderModel model, ImageColumnKind kind, StepSettings settings) =>
        new(EncoderGraphs.Build(model, kind, settings), kind, settings, model.Preprocessing, model.FeatureDimension);

    /// <summary>Reads a step back from a graph written by <see cref="EncoderGraphs.Build"/> (e.g. found in a model zip).</summary>
    public static FittedStep FromGraph(byte[] graph, string source)
    {
        var file = OnnxModelFile.Parse(graph, source);
        if (!file.Metadata.TryGetValue(EncoderGraphs.MarkerKey, out var format) || format != EncoderGraphs.Format)
        {
            throw new InvalidDataException($"{source} is not a MoCoFeatures graph of format {EncoderGraphs.Format}.");
        }

        var (settings, kind, pre, dim) = StepSettings.FromMetadata(file.Metadata, source);
        return new FittedStep(graph, kind, settings, pre, dim);
    }
}
