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
}

/// <summary>An ONNX Runtime call failed; <see cref="Exception.Message"/> carries ORT's own message unchanged.</summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception for a failed ORT call.</summary>
    /// <param name="code">ORT's error code.</param>
    /// <param name="operation">The C API function (and argument) that failed.</param>
    /// <param name="ortMessage">The message ORT returned.</param>
    public OnnxRuntimeException(OnnxErrorCode code, string operation, string ortMessage)
        : base($"ONNX Runtime {operation} failed ({code}): {ortMessage}")
    {
        Code = code;
        Operation = operation;
        OrtMessage = ortMessage;
    }

    /// <summary>ORT's error code.</summary>
    public OnnxErrorCode Code { get; }

    /// <summary>The C API function that failed.</summary>
    public string Operation { get; }

    /// <summary>ORT's message, unchanged.</summary>
    public string OrtMessage { get; }
}

/// <summary>libonnxruntime.so.1 could not be found or loaded; the message lists the paths probed.</summary>
public sealed class OnnxRuntimeNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was probed and why each path failed.</param>
    public OnnxRuntimeNotFoundException(string message) : base(message) { }
}
