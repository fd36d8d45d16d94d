using MoCo.Onnx.Metadata;
using MoCo.Onnx.Writer;

namespace MoCo.Onnx.Editing;

/// <summary>
/// An image classifier as ONNX, made from a model that gives logits (e.g. <c>moco export</c>'s encoder with its linear
/// classifier as the head): the same input, outputs <see cref="Logits"/> [N, classes] and <see cref="Probabilities"/>
/// [N, classes] (softmax over the classes), the logits model's metadata kept (the preprocessing, <see cref="EncoderMetadataKeys"/>)
/// with the class names added (<see cref="EncoderMetadataKeys.ClassNames"/>). With <c>probabilitiesOnly</c> the one
/// output is the probabilities: the form an ML.NET pipeline's MoCoFeatures step runs (one input, one output).
/// </summary>
public static class OnnxClassifier
{
    /// <summary>The logits output's name.</summary>
    public const string Logits = "logits";

    /// <summary>The probabilities output's name.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>The classifier's model bytes.</summary>
    /// <param name="logitsModel">A model with one image input and one output [N, classes] of logits.</param>
    /// <param name="classNames">The classes' names by logit index (distinct, non-empty).</param>
    /// <param name="probabilitiesOnly">Write only the <see cref="Probabilities"/> output (default false: both).</param>
    /// <param name="description">The model's doc string.</param>
    /// <exception cref="ArgumentException">The model does not have one input and one [N, classes] float output, or the names do not fit.</exception>
    public static byte[] FromLogits(byte[] logitsModel, IReadOnlyList<string> classNames, bool probabilitiesOnly = false, string description = "MoCo.MLNet image classifier")
    {
        ArgumentNullException.ThrowIfNull(logitsModel);
        ArgumentNullException.ThrowIfNull(classNames);
        var inner = OnnxModelFile.Parse(logitsModel, "(logits model)");
        if (inner.Inputs.Count != 1 || inner.Outputs.Count != 1)
            throw new ArgumentException($"a classifier is made from a model with one input and one output, this has {inner.Inputs.Count} and {inner.Outputs.Count}");
        var input = inner.Inputs[0];
        var output = inner.Outputs[0];
        if (output.ElementType != OnnxElementType.Float || output.Shape.Count != 2 || output.Shape[1] != classNames.Count)
            throw new ArgumentException($"the logits model gives {output}; expected Float[N, {classNames.Count}] for {classNames.Count} classes");
        if (classNames.Count < 2 || classNames.Any(string.IsNullOrEmpty) || classNames.Distinct(StringComparer.Ordinal).Count() != classNames.Count)
            throw new ArgumentException($"a classifier needs at least 2 distinct, non-empty class names, got [{string.Join(", ", classNames)}]");

        var g = new OnnxGraphBuilder("moco_classifier");
        string x = g.Input(input.Name, input.ElementType, [.. input.Shape]);
        string logits = g.Embed(inner, x, "classifier/");                               // N × classes
        string probabilities = g.Node("Softmax", [logits], null, OnnxAttribute.Int("axis", 1))[0];
        if (!probabilitiesOnly) g.Output(logits, Logits, OnnxElementType.Float, -1, classNames.Count);
        g.Output(probabilities, Probabilities, OnnxElementType.Float, -1, classNames.Count);

        var metadata = new Dictionary<string, string>(inner.Metadata, StringComparer.Ordinal)
        {
            [EncoderMetadataKeys.ClassNames] = MetadataText.Strings(classNames),
        };
        return g.ToBytes(new OnnxModelProperties { Metadata = metadata, Description = description });
    }

    /// <summary>The class names of a classifier's metadata; null when it has none.</summary>
    /// <exception cref="InvalidDataException">The key is present but not a JSON array of strings.</exception>
    public static IReadOnlyList<string>? ClassNamesOf(IReadOnlyDictionary<string, string> metadata, string source)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(EncoderMetadataKeys.ClassNames, out var text)) return null;
        try
        {
            return MetadataText.ParseStrings(EncoderMetadataKeys.ClassNames, text);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"ONNX model {source}: {e.Message}", e);
        }
    }
}
