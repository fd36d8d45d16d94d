namespace MoCo.Onnx;

/// <summary>A model's metadata as ONNX Runtime reads it.</summary>
/// <param name="ProducerName">ModelProto.producer_name.</param>
/// <param name="GraphName">GraphProto.name.</param>
/// <param name="Domain">ModelProto.domain.</param>
/// <param name="Description">ModelProto.doc_string.</param>
/// <param name="Version">ModelProto.model_version.</param>
/// <param name="Custom">ModelProto.metadata_props (e.g. <c>moco.mean</c>), key → value.</param>
public sealed record OnnxModelMetadata(
    string ProducerName, string GraphName, string Domain, string Description, long Version,
    IReadOnlyDictionary<string, string> Custom);

/// <summary>A float tensor returned by a run: row-major values and their shape.</summary>
/// <param name="Values">Row-major values.</param>
/// <param name="Shape">Dimensions, e.g. [N, D] for features.</param>
public sealed record OnnxTensor(float[] Values, long[] Shape);
