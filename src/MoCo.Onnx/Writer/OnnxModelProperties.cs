namespace MoCo.Onnx.Writer;

/// <summary>Model-level fields of a written file (ModelProto), including metadata_props.</summary>
public sealed record OnnxModelProperties
{
    /// <summary>ModelProto.producer_name. Default "MoCo.MLNet".</summary>
    public string ProducerName { get; init; } = "MoCo.MLNet";

    /// <summary>ModelProto.producer_version. Default: this assembly's informational version.</summary>
    public string ProducerVersion { get; init; } = DefaultVersion();

    /// <summary>ModelProto.model_version. Default 1.</summary>
    public long ModelVersion { get; init; } = 1;

    /// <summary>ModelProto.doc_string. Default empty.</summary>
    public string Description { get; init; } = "";

    /// <summary>ModelProto.metadata_props, written in key order. Default empty.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    private static string DefaultVersion()
    {
        var assembly = typeof(OnnxModelProperties).Assembly;
        var info = (System.Reflection.AssemblyInformationalVersionAttribute?)Attribute.GetCustomAttribute(
            assembly, typeof(System.Reflection.AssemblyInformationalVersionAttribute));
        return info?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "0";
    }
}
