using System.Runtime.InteropServices;
using Google.Protobuf;
using MoCo.Onnx.Editing;
using MoCo.Onnx.Protos;

namespace MoCo.Onnx.Writer;

public sealed partial class OnnxGraphBuilder
{
    private readonly Dictionary<string, long> _embeddedOpsets = new(StringComparer.Ordinal);
    private long _embeddedIrVersion;

    /// <summary>
    /// Copies a whole single-input, single-output model into this graph: its nodes and initializers are added
    /// with every value name prefixed by <paramref name="prefix"/> (so nothing clashes with the wrapper's names),
    /// its input is fed from <paramref name="feed"/>, and the written model takes the embedded model's opsets.
    /// </summary>
    /// <param name="inner">The model to embed.</param>
    /// <param name="feed">An existing value that becomes the embedded model's input.</param>
    /// <param name="prefix">Prefix for the embedded value names, e.g. "encoder/".</param>
    /// <returns>The name of the embedded model's output in this graph.</returns>
    internal string Embed(OnnxModelFile inner, string feed, string prefix)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Require(feed);
        if (_embeddedOpsets.Count > 0)
        {
            throw new InvalidOperationException($"Graph '{_graph.Name}' already embeds a model; one per graph.");
        }

        var graph = inner.Proto.Graph;
        var input = inner.Inputs.Single().Name;
        var output = inner.Outputs.Single().Name;
        string Rename(string name) => name.Length == 0 ? name : name == input ? feed : prefix + name;

        foreach (var init in graph.Initializer)
        {
            var copy = init.Clone();
            copy.Name = Rename(init.Name);
            Declare(copy.Name);
            _graph.Initializer.Add(copy);
        }

        foreach (var node in graph.Node)
        {
            var copy = node.Clone();
            copy.Name = prefix + node.Name;
            copy.Input.Clear();
            copy.Input.AddRange(node.Input.Select(Rename));
            copy.Output.Clear();
            copy.Output.AddRange(node.Output.Select(Rename));
            foreach (var name in copy.Input.Where(n => n.Length > 0))
            {
                Require(name);
            }

            foreach (var name in copy.Output)
            {
                Declare(name);
            }

            _graph.Node.Add(copy);
        }

        foreach (var info in graph.ValueInfo)
        {
            var copy = info.Clone();
            copy.Name = Rename(info.Name);
            _graph.ValueInfo.Add(copy);
        }

        foreach (var opset in inner.Proto.OpsetImport)
        {
            _embeddedOpsets[opset.Domain] = opset.Version;
        }

        _embeddedIrVersion = inner.Proto.IrVersion;
        var result = Rename(output);
        Require(result);
        return result;
    }

    /// <summary>Adds a Constant node holding float values of shape <paramref name="dims"/>.</summary>
    /// <returns>The constant's value name.</returns>
    internal string ConstantFloats(ReadOnlySpan<float> values, params long[] dims)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        return Constant(tensor);
    }

    /// <summary>Adds a Constant node holding UTF-8 strings of shape [count].</summary>
    /// <returns>The constant's value name.</returns>
    internal string ConstantStrings(params string[] values)
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.String };
        tensor.Dims.Add(values.Length);
        tensor.StringData.AddRange(values.Select(ByteString.CopyFromUtf8));
        return Constant(tensor);
    }

    private string Constant(TensorProto tensor)
    {
        var attribute = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };
        var output = NewName("Constant");
        Declare(output);
        var node = new NodeProto { OpType = "Constant", Name = NewName("Constant_node") };
        node.Output.Add(output);
        node.Attribute.Add(attribute);
        _graph.Node.Add(node);
        return output;
    }
}
