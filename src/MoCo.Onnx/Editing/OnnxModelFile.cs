using Google.Protobuf;
using MoCo.Onnx.Protos;

namespace MoCo.Onnx.Editing;

/// <summary>
/// An ONNX model parsed without ONNX Runtime: its graph inputs and outputs, metadata_props and opsets. Used to
/// check a model up front (a truncated or foreign file fails here with a message naming it) and to embed it in a
/// larger graph (<see cref="Writer.OnnxGraphBuilder"/>'s Embed).
/// </summary>
internal sealed class OnnxModelFile
{
    private OnnxModelFile(ModelProto proto, string source)
    {
        Proto = proto;
        Source = source;
        var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        Inputs = proto.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Describe).ToArray();
        Outputs = proto.Graph.Output.Select(Describe).ToArray();
        Metadata = proto.MetadataProps.GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
    }

    internal ModelProto Proto { get; }

    /// <summary>Where the model came from (a path, or a description of the bytes), for messages.</summary>
    public string Source { get; }

    /// <summary>Graph inputs that are not initializers, in graph order; -1 marks a dynamic dimension.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>Graph outputs, in graph order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>metadata_props, key → value.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads a model file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a complete ONNX model.</exception>
    public static OnnxModelFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {Path.GetFullPath(path)}", path);
        }

        return Parse(File.ReadAllBytes(path), Path.GetFullPath(path));
    }

    /// <summary>Parses a serialized ModelProto.</summary>
    /// <param name="bytes">The model bytes.</param>
    /// <param name="source">What the bytes are, for messages (e.g. a path).</param>
    /// <exception cref="InvalidDataException">The bytes are not a complete ONNX model.</exception>
    public static OnnxModelFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.IsEmpty)
        {
            throw new InvalidDataException($"ONNX model {source} is empty (0 bytes).");
        }

        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"ONNX model {source} is not a valid ONNX file (truncated or another format): {e.Message}", e);
        }

        if (proto.Graph is null || proto.Graph.Output.Count == 0 || proto.OpsetImport.Count == 0)
        {
            throw new InvalidDataException($"ONNX model {source} has no graph, outputs or opset: not an ONNX model (or truncated).");
        }

        foreach (var node in proto.Graph.Node)
        {
            if (node.Attribute.Any(a => a.Type is AttributeProto.Types.AttributeType.Graph || (int)a.Type == 10))
            {
                throw new NotSupportedException($"ONNX model {source}: node '{node.Name}' ({node.OpType}) has a subgraph; models with control flow are not supported.");
            }
        }

        return new OnnxModelFile(proto, source);
    }

    /// <summary>The model re-serialized (unknown fields kept).</summary>
    public byte[] ToBytes() => Proto.ToByteArray();

    private static OnnxTensorInfo Describe(ValueInfoProto info)
    {
        var tensor = info.Type?.TensorType;
        IReadOnlyList<TensorShapeProto.Types.Dimension> dims = tensor?.Shape?.Dim is { } d ? d : [];
        return new OnnxTensorInfo(
            info.Name,
            (OnnxElementType)(tensor?.ElemType ?? 0),
            dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray(),
            dims.Select(d => d.DimParam ?? "").ToArray());
    }
}
