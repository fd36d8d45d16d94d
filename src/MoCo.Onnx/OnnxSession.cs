using Ort = Microsoft.ML.OnnxRuntime;

namespace MoCo.Onnx;

/// <summary>
/// An ONNX model loaded in ONNX Runtime (the official Microsoft.ML.OnnxRuntime package, the same runtime ML.NET's
/// OnnxTransformer uses). Inputs are read straight from the caller's memory (pinned for the call, no copy);
/// <c>RunInto</c> lets ORT write the output into the caller's buffer. Thread-safe: any number of threads may
/// call <c>Run</c>/<c>RunInto</c> on one session at once (ORT sessions allow concurrent runs). Dispose once when
/// done (a second dispose does nothing; runs in flight finish first).
/// </summary>
/// <example>
/// <code>
/// using var session = OnnxSession.Open("encoder.onnx");
/// OnnxTensor features = session.Run(pixels, [batch, 3, 224, 224]);   // features.Shape = [batch, D]
/// </code>
/// </example>
public sealed partial class OnnxSession : IDisposable
{
    private readonly Ort.InferenceSession _session;
    private readonly Ort.RunOptions _runOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly string[] _firstOutputName;

    // Users of the native session: 1 for the owner (released by Dispose) plus one per run in flight.
    private int _references = 1;
    private int _disposed;

    private OnnxSession(Ort.InferenceSession session, OnnxExecutionProvider provider, string? fallbackReason)
    {
        _session = session;
        Inputs = Describe(session.InputNames, session.InputMetadata);
        Outputs = Describe(session.OutputNames, session.OutputMetadata);
        Metadata = ReadMetadata(session.ModelMetadata);
        ExecutionProvider = provider;
        FallbackReason = fallbackReason;
        _inputNames = [.. session.InputNames];
        _outputNames = [.. session.OutputNames];
        _firstOutputName = [_outputNames[0]];
        _runOptions = new Ort.RunOptions { LogSeverityLevel = Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
    }

    /// <summary>The model's inputs, in graph order: name, element type, shape (-1 for a dynamic dimension).</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>The model's outputs, in graph order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>Producer, graph name, version and the custom metadata map (metadata_props).</summary>
    public OnnxModelMetadata Metadata { get; }

    /// <summary>The provider the session runs on: the requested one, or Cpu after a <see cref="OnnxSessionOptions.FallbackToCpu"/> fallback.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; }

    /// <summary>Why the session runs on the CPU although CUDA was requested (FallbackToCpu); null when it runs where asked.</summary>
    public string? FallbackReason { get; }

    /// <summary>The version of the loaded ONNX Runtime library (e.g. "1.31.1").</summary>
    /// <exception cref="OnnxRuntimeNotFoundException">The native library could not be loaded.</exception>
    public static string RuntimeVersion => OrtErrors.Call("GetVersionString", () => Ort.OrtEnv.Instance().GetVersionString());

    /// <summary>Execution providers compiled into the loaded library (e.g. "CPUExecutionProvider", "CUDAExecutionProvider").</summary>
    /// <exception cref="OnnxRuntimeNotFoundException">The native library could not be loaded.</exception>
    public static IReadOnlyList<string> AvailableProviders => OrtErrors.Call("GetAvailableProviders", () => Ort.OrtEnv.Instance().GetAvailableProviders());

    /// <summary>Loads a model from an .onnx file.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="options">Session options; default <see cref="OnnxSessionOptions.Default"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxRuntimeException">ORT rejected the file; the message is ORT's.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested where it cannot run, without <see cref="OnnxSessionOptions.FallbackToCpu"/>.</exception>
    /// <exception cref="OnnxRuntimeNotFoundException">The native library could not be loaded.</exception>
    public static OnnxSession Open(string path, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {Path.GetFullPath(path)}", path);
        }

        var full = Path.GetFullPath(path);
        return Create(o => new Ort.InferenceSession(full, o), options);
    }

    /// <summary>Loads a model from its serialized bytes (a ModelProto).</summary>
    /// <param name="model">The model bytes.</param>
    /// <param name="options">Session options; default <see cref="OnnxSessionOptions.Default"/>.</param>
    /// <exception cref="OnnxRuntimeException">ORT rejected the bytes; the message is ORT's.</exception>
    /// <exception cref="NotSupportedException">CUDA was requested where it cannot run, without <see cref="OnnxSessionOptions.FallbackToCpu"/>.</exception>
    /// <exception cref="OnnxRuntimeNotFoundException">The native library could not be loaded.</exception>
    public static OnnxSession Open(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null)
    {
        if (model.IsEmpty)
        {
            throw new ArgumentException("The model is empty (0 bytes).", nameof(model));
        }

        var bytes = model.ToArray(); // the managed API takes an array; ORT parses it once at load
        return Create(o => new Ort.InferenceSession(bytes, o), options);
    }

    private static OnnxSession Create(Func<Ort.SessionOptions, Ort.InferenceSession> open, OnnxSessionOptions? options)
    {
        (Ort.InferenceSession session, OnnxExecutionProvider provider, string? reason) created;
        try
        {
            created = OrtSessionFactory.Create(open, options ?? OnnxSessionOptions.Default);
        }
        catch (Exception e) when (OrtErrors.NativeLibraryMissing(e) is { } missing)
        {
            throw missing;
        }

        try
        {
            return new OnnxSession(created.session, created.provider, created.reason);
        }
        catch
        {
            created.session.Dispose();
            throw;
        }
    }

    private static OnnxTensorInfo[] Describe(IReadOnlyList<string> names, IReadOnlyDictionary<string, Ort.NodeMetadata> metadata)
    {
        var result = new OnnxTensorInfo[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var node = metadata[names[i]];
            result[i] = node.IsTensor
                ? new OnnxTensorInfo(names[i], (OnnxElementType)(int)node.ElementDataType,
                    node.Dimensions.Select(d => (long)d).ToArray(), node.SymbolicDimensions.Select(s => s ?? "").ToArray())
                : new OnnxTensorInfo(names[i], OnnxElementType.Undefined, [], []);
        }

        return result;
    }

    private static OnnxModelMetadata ReadMetadata(Ort.ModelMetadata m) =>
        new(m.ProducerName, m.GraphName, m.Domain, m.Description, m.Version,
            new Dictionary<string, string>(m.CustomMetadataMap, StringComparer.Ordinal));

    /// <summary>Takes a reference on the native session for one run; throws once disposed.</summary>
    private void AddReference()
    {
        var current = Volatile.Read(ref _references);
        while (true)
        {
            ObjectDisposedException.ThrowIf(current == 0 || Volatile.Read(ref _disposed) != 0, this);
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private void ReleaseReference()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>Releases the ORT session. Safe to call more than once; a run in flight finishes first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ReleaseReference();
        }
    }
}
