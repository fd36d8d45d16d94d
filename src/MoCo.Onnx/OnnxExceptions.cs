namespace MoCo.Onnx;

/// <summary>ONNX Runtime's error codes (OrtErrorCode in onnxruntime_c_api.h).</summary>
public enum OnnxErrorCode
{
    /// <summary>ORT_OK.</summary>
    Ok = 0,
    /// <summary>ORT_FAIL.</summary>
    Fail = 1,
    /// <summary>ORT_INVALID_ARGUMENT.</summary>
    InvalidArgument = 2,
    /// <summary>ORT_NO_SUCHFILE.</summary>
    NoSuchFile = 3,
    /// <summary>ORT_NO_MODEL.</summary>
    NoModel = 4,
    /// <summary>ORT_ENGINE_ERROR.</summary>
    EngineError = 5,
    /// <summary>ORT_RUNTIME_EXCEPTION.</summary>
    RuntimeException = 6,
    /// <summary>ORT_INVALID_PROTOBUF.</summary>
    InvalidProtobuf = 7,
    /// <summary>ORT_MODEL_LOADED.</summary>
    ModelLoaded = 8,
    /// <summary>ORT_NOT_IMPLEMENTED.</summary>
    NotImplemented = 9,
    /// <summary>ORT_INVALID_GRAPH.</summary>
    InvalidGraph = 10,
    /// <summary>ORT_EP_FAIL.</summary>
    ExecutionProviderFailure = 11,
    /// <summary>ORT_MODEL_LOAD_CANCELED.</summary>
    ModelLoadCanceled = 12,
    /// <summary>ORT_MODEL_REQUIRES_COMPILATION.</summary>
    ModelRequiresCompilation = 13,
    /// <summary>ORT_NOT_FOUND.</summary>
    NotFound = 14,
}

/// <summary>
/// An ONNX Runtime call failed; <see cref="Exception.Message"/> carries ORT's own message unchanged. Wraps the
/// official package's <c>Microsoft.ML.OnnxRuntime.OnnxRuntimeException</c> (the <see cref="Exception.InnerException"/>).
/// </summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception for a failed ORT call.</summary>
    /// <param name="code">ORT's error code.</param>
    /// <param name="operation">The operation that failed (<c>CreateSession</c>, <c>Run</c>).</param>
    /// <param name="ortMessage">The message ORT returned.</param>
    /// <param name="innerException">The official package's exception, when there is one.</param>
    public OnnxRuntimeException(OnnxErrorCode code, string operation, string ortMessage, Exception? innerException = null)
        : base($"ONNX Runtime {operation} failed ({code}): {ortMessage}", innerException)
    {
        Code = code;
        Operation = operation;
        OrtMessage = ortMessage;
    }

    /// <summary>ORT's error code.</summary>
    public OnnxErrorCode Code { get; }

    /// <summary>The operation that failed (<c>CreateSession</c>, <c>Run</c>).</summary>
    public string Operation { get; }

    /// <summary>ORT's message, unchanged.</summary>
    public string OrtMessage { get; }
}

/// <summary>
/// ONNX Runtime's native library (<c>libonnxruntime.so</c>, from the Microsoft.ML.OnnxRuntime package or its GPU
/// variant) could not be loaded; the message says why and which package provides it.
/// </summary>
public sealed class OnnxRuntimeNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed to load, and why.</param>
    /// <param name="innerException">The loader's exception.</param>
    public OnnxRuntimeNotFoundException(string message, Exception? innerException = null) : base(message, innerException) { }
}
