using System.Runtime.InteropServices;
using Google.Protobuf;
using MoCo.Onnx.Protos;

namespace MoCo.Onnx.Writer;

/// <summary>
/// Builds an ONNX graph (opset <see cref="Opset"/>, IR version <see cref="IrVersion"/>) node by node and
/// serializes it as a ModelProto. Every value is referred to by name; each op method returns the name of
/// its output. A node may only consume values that already exist, so a built graph is topologically
/// sorted and never refers to a missing value.
/// </summary>
/// <example>
/// <code>
/// var g = new OnnxGraphBuilder("encoder");
/// var x = g.Input("image", OnnxElementType.Float, -1, 3, 224, 224);   // -1: the dynamic batch "N"
/// var w = g.Initializer("conv1.weight", weights, 64, 3, 7, 7);
/// var y = g.Relu(g.Conv(x, w, null, kernel: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3]));
/// ...
/// g.Output(features, "features", OnnxElementType.Float, -1, 512);
/// g.Save("encoder.onnx", new OnnxModelProperties { Metadata = meta });
/// </code>
/// </example>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>ModelProto.ir_version written: 8 (ONNX 1.10+), which ONNX Runtime 1.30 reads.</summary>
    public const long IrVersion = 8;

    /// <summary>The default-domain opset the graph is written against: 17.</summary>
    public const long Opset = 17;

    /// <summary>The symbolic name written for a dynamic first dimension (given as -1); a dynamic dimension i &gt; 0 is written as "N{i}".</summary>
    public const string DynamicDimension = "N";

    private readonly GraphProto _graph;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph.</summary>
    /// <param name="name">GraphProto.name.</param>
    public OnnxGraphBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _graph = new GraphProto { Name = name };
    }

    /// <summary>Declares a graph input. Dimensions of -1 are written as the symbolic <see cref="DynamicDimension"/>.</summary>
    /// <returns>The input's name.</returns>
    public string Input(string name, OnnxElementType type, params long[] dims)
    {
        Declare(name);
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares an existing value as a graph output under <paramref name="name"/> (an Identity node is added when the names differ).</summary>
    /// <param name="value">The value to expose.</param>
    /// <param name="name">The output's name (e.g. "features").</param>
    /// <param name="type">Its element type.</param>
    /// <param name="dims">Its shape; -1 for the dynamic batch.</param>
    /// <returns>The output's name.</returns>
    public string Output(string value, string name, OnnxElementType type, params long[] dims)
    {
        Require(value);
        if (value != name)
        {
            Node("Identity", [value], [name]);
        }

        _graph.Output.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Adds a float32 initializer (weights) of shape <paramref name="dims"/>, stored as raw little-endian bytes.</summary>
    /// <returns>The initializer's name.</returns>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        AddInitializer(name, MemoryMarshal.AsBytes(values), values.Length, TensorProto.Types.DataType.Float, dims);

    /// <summary>Adds an int64 initializer (e.g. a shape) of shape <paramref name="dims"/>.</summary>
    /// <returns>The initializer's name.</returns>
    public string InitializerInt64(string name, ReadOnlySpan<long> values, params long[] dims) =>
        AddInitializer(name, MemoryMarshal.AsBytes(values), values.Length, TensorProto.Types.DataType.Int64, dims);

    /// <summary>Adds a node of any default-domain operator.</summary>
    /// <param name="opType">The operator (e.g. "Conv").</param>
    /// <param name="inputs">Existing values; "" for an omitted optional input.</param>
    /// <param name="outputs">New value names; null for one generated name.</param>
    /// <param name="attributes">The node's attributes.</param>
    /// <returns>The output names.</returns>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string>? outputs = null,
        params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        foreach (var input in inputs)
        {
            if (input.Length > 0)
            {
                Require(input);
            }
        }

        var outs = outputs ?? [NewName(opType)];
        foreach (var output in outs)
        {
            Declare(output);
        }

        var node = new NodeProto { OpType = opType, Name = NewName(opType + "_node") };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outs);
        node.Attribute.AddRange(attributes.Select(a => a.Proto));
        _graph.Node.Add(node);
        return outs;
    }

    /// <summary>Serializes the graph as an ONNX ModelProto.</summary>
    /// <param name="properties">Producer, version and metadata_props; default <see cref="OnnxModelProperties"/>'s defaults.</param>
    public byte[] ToBytes(OnnxModelProperties? properties = null) => ToModel(properties).ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> (through a temporary file, so a failed write leaves no partial model).</summary>
    /// <param name="path">The .onnx file to write.</param>
    /// <param name="properties">Producer, version and metadata_props; default <see cref="OnnxModelProperties"/>'s defaults.</param>
    public void Save(string path, OnnxModelProperties? properties = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ToBytes(properties);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    internal ModelProto ToModel(OnnxModelProperties? properties)
    {
        properties ??= new OnnxModelProperties();
        if (_graph.Output.Count == 0)
        {
            throw new InvalidOperationException($"Graph '{_graph.Name}' has no outputs; call Output(...) before writing it.");
        }

        var model = new ModelProto
        {
            IrVersion = Math.Max(IrVersion, _embeddedIrVersion),
            ProducerName = properties.ProducerName,
            ProducerVersion = properties.ProducerVersion,
            ModelVersion = properties.ModelVersion,
            DocString = properties.Description,
            Graph = _graph.Clone(),
        };
        // An embedded model keeps its own opsets (its operators mean what they meant there); the wrapper nodes the
        // builder adds around it (Reshape, Cast, Transpose, Mul, Sub, Add, Identity) read the same from opset 7 on.
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _embeddedOpsets.GetValueOrDefault("", Opset) });
        foreach (var (domain, version) in _embeddedOpsets.Where(o => o.Key.Length > 0).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        foreach (var (key, value) in properties.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    private string AddInitializer(string name, ReadOnlySpan<byte> bytes, int count, TensorProto.Types.DataType type, long[] dims)
    {
        long expected = 1;
        foreach (var d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Initializer '{name}': dimensions must be fixed, got [{string.Join(", ", dims)}].", nameof(dims));
            }

            expected *= d;
        }

        if (expected != count)
        {
            throw new ArgumentException($"Initializer '{name}' has {count} values but shape [{string.Join(", ", dims)}] needs {expected}.", nameof(dims));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; big-endian hosts are not supported.");
        }

        Declare(name);
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, OnnxElementType type, long[] dims)
    {
        var shape = new TensorShapeProto();
        for (var i = 0; i < dims.Length; i++)
        {
            // Distinct symbols: ONNX Runtime takes equal symbols to mean equal sizes.
            shape.Dim.Add(dims[i] >= 0
                ? new TensorShapeProto.Types.Dimension { DimValue = dims[i] }
                : new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? DynamicDimension : DynamicDimension + i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private void Declare(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!_values.Add(name))
        {
            throw new ArgumentException($"Graph '{_graph.Name}' already has a value named '{name}'.", nameof(name));
        }
    }

    private void Require(string name)
    {
        if (!_values.Contains(name))
        {
            throw new ArgumentException($"Graph '{_graph.Name}' has no value named '{name}' (inputs, initializers and node outputs must exist before use).", nameof(name));
        }
    }

    private string NewName(string prefix)
    {
        _counters.TryGetValue(prefix, out var n);
        string name;
        do
        {
            name = $"{prefix}_{n++}";
        }
        while (_values.Contains(name));

        _counters[prefix] = n;
        return name;
    }
}
