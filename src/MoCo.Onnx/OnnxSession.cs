using System.Runtime.InteropServices;
using MoCo.Onnx.Native;

namespace MoCo.Onnx;

/// <summary>
/// An ONNX model loaded in ONNX Runtime. Inputs are read straight from the caller's memory (pinned
/// for the call, no copy); outputs are copied once out of ORT's buffers. Thread-safe for concurrent
/// <c>Run</c> calls (ORT sessions are); dispose once when done (a second dispose does nothing).
/// </summary>
/// <example>
/// <code>
/// using var session = OnnxSession.Open("encoder.onnx");
/// OnnxTensor features = session.Run(pixels, [batch, 3, 224, 224]);   // features.Shape = [batch, D]
/// </code>
/// </example>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtSessionHandle _session;
    private readonly IntPtr _inputNames;   // byte*[] of UTF-8 names, in native memory
    private readonly IntPtr _outputNames;
    private readonly List<IntPtr> _nativeStrings = [];
    private int _disposed;

    private OnnxSession(OrtSessionHandle session)
    {
        _session = session;
        var raw = session.DangerousGetHandle();
        Inputs = Describe(raw, OrtApi.SessionGetInputCount(raw), input: true);
        Outputs = Describe(raw, OrtApi.SessionGetOutputCount(raw), input: false);
        _inputNames = NativeNames(Inputs);
        _outputNames = NativeNames(Outputs);
        Metadata = ReadMetadata(raw);
    }

    /// <summary>The model's inputs, in graph order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Inputs { get; }

    /// <summary>The model's outputs, in graph order.</summary>
    public IReadOnlyList<OnnxTensorInfo> Outputs { get; }

    /// <summary>Producer, graph name, version and the custom metadata map (metadata_props).</summary>
    public OnnxModelMetadata Metadata { get; }

    /// <summary>The version string of the loaded ONNX Runtime library (e.g. "1.30.0").</summary>
    public static string RuntimeVersion => OrtLibrary.Version;

    /// <summary>Execution providers compiled into the loaded library (e.g. "CPUExecutionProvider").</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtApi.GetAvailableProviders();

    /// <summary>Loads a model from an .onnx file.</summary>
    /// <param name="path">The model file.</param>
    /// <param name="options">Session options; default <see cref="OnnxSessionOptions.Default"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxRuntimeException">ORT rejected the file; the message is ORT's.</exception>
    public static OnnxSession Open(string path, OnnxSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {Path.GetFullPath(path)}", path);
        }

        using var opts = CreateOptions(options ?? OnnxSessionOptions.Default);
        return new OnnxSession(new OrtSessionHandle(
            OrtApi.CreateSession(OrtEnvironment.Env.DangerousGetHandle(), Path.GetFullPath(path), opts.DangerousGetHandle())));
    }

    /// <summary>Loads a model from its serialized bytes (a ModelProto).</summary>
    /// <param name="model">The model bytes.</param>
    /// <param name="options">Session options; default <see cref="OnnxSessionOptions.Default"/>.</param>
    /// <exception cref="OnnxRuntimeException">ORT rejected the bytes; the message is ORT's.</exception>
    public static OnnxSession Open(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null)
    {
        if (model.IsEmpty)
        {
            throw new ArgumentException("The model is empty (0 bytes).", nameof(model));
        }

        using var opts = CreateOptions(options ?? OnnxSessionOptions.Default);
        return new OnnxSession(new OrtSessionHandle(
            OrtApi.CreateSessionFromArray(OrtEnvironment.Env.DangerousGetHandle(), model, opts.DangerousGetHandle())));
    }

    /// <summary>Runs a single-input model on a float tensor (e.g. NCHW images) and returns its first output.</summary>
    /// <param name="input">Row-major values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 3, 224, 224].</param>
    /// <returns>The first output (e.g. features [N, D]).</returns>
    public OnnxTensor Run(ReadOnlySpan<float> input, ReadOnlySpan<long> shape)
    {
        fixed (float* p = input)
        {
            return RunOne(p, input.Length, sizeof(float), OnnxElementType.Float, shape);
        }
    }

    /// <summary>Runs a single-input model on a uint8 tensor (e.g. NHWC pixels) and returns its first output.</summary>
    /// <param name="input">Row-major values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 224, 224, 3].</param>
    /// <returns>The first output (e.g. features [N, D]).</returns>
    public OnnxTensor Run(ReadOnlySpan<byte> input, ReadOnlySpan<long> shape)
    {
        fixed (byte* p = input)
        {
            return RunOne(p, input.Length, sizeof(byte), OnnxElementType.UInt8, shape);
        }
    }

    private OnnxTensor RunOne(void* data, int length, int elementSize, OnnxElementType type, ReadOnlySpan<long> shape)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Inputs.Count != 1)
        {
            throw new InvalidOperationException($"Run(input, shape) needs a model with one input; this one has {Inputs.Count}: {string.Join(", ", Inputs)}.");
        }

        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.", nameof(shape));
            }

            count *= d;
        }

        if (count != length)
        {
            throw new ArgumentException(
                $"Input has {length} values but shape [{string.Join(", ", shape.ToArray())}] needs {count}.", nameof(shape));
        }

        var added = false;
        _session.DangerousAddRef(ref added);
        try
        {
            fixed (long* s = shape)
            {
                using var value = new OrtValueHandle(OrtApi.CreateTensorWithData(
                    OrtEnvironment.CpuMemory.DangerousGetHandle(), data, (nuint)(length * (long)elementSize), s, (nuint)shape.Length, type));
                var inputPtr = value.DangerousGetHandle();
                var outputs = stackalloc IntPtr[Outputs.Count];
                for (var i = 0; i < Outputs.Count; i++)
                {
                    outputs[i] = IntPtr.Zero;
                }

                try
                {
                    OrtApi.Run(_session.DangerousGetHandle(), (byte**)_inputNames, &inputPtr, 1, (byte**)_outputNames, (nuint)Outputs.Count, outputs);
                    return CopyFloat(outputs[0], Outputs[0].Name);
                }
                finally
                {
                    for (var i = 0; i < Outputs.Count; i++)
                    {
                        if (outputs[i] != IntPtr.Zero)
                        {
                            OrtApi.ReleaseValue(outputs[i]);
                        }
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                _session.DangerousRelease();
            }
        }
    }

    private static OnnxTensor CopyFloat(IntPtr value, string name)
    {
        using var info = new OrtTensorInfoHandle(OrtApi.GetTensorTypeAndShape(value));
        var type = OrtApi.GetTensorElementType(info.DangerousGetHandle());
        if (type != OnnxElementType.Float)
        {
            throw new NotSupportedException($"Output '{name}' is {type}; only float outputs are returned.");
        }

        var shape = OrtApi.GetDimensions(info.DangerousGetHandle());
        long count = 1;
        foreach (var d in shape)
        {
            count *= d;
        }

        var values = new float[count];
        new ReadOnlySpan<float>(OrtApi.GetTensorMutableData(value), (int)count).CopyTo(values);
        return new OnnxTensor(values, shape);
    }

    private static OrtSessionOptionsHandle CreateOptions(OnnxSessionOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads);
        _ = OrtEnvironment.Env; // providers log through the environment's logger: create it first
        var handle = new OrtSessionOptionsHandle(OrtApi.CreateSessionOptions());
        try
        {
            var raw = handle.DangerousGetHandle();
            OrtApi.SetIntraOpNumThreads(raw, options.IntraOpThreads);
            OrtApi.SetInterOpNumThreads(raw, options.InterOpThreads);
            OrtApi.SetGraphOptimizationLevel(raw, (int)options.GraphOptimization);
            if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
            {
                var providers = OrtApi.GetAvailableProviders();
                if (!providers.Contains("CUDAExecutionProvider"))
                {
                    throw new NotSupportedException(
                        $"The CUDA execution provider was requested, but this ONNX Runtime library ({OrtLibrary.Version}) " +
                        $"has only: {string.Join(", ", providers)}. Use OnnxExecutionProvider.Cpu or a CUDA build of ONNX Runtime.");
                }

                try
                {
                    OrtApi.AppendCudaProvider(raw, options.CudaDeviceId);
                }
                catch (OnnxRuntimeException e)
                {
                    // The onnxruntime-node build lists CUDA but ships without libonnxruntime_providers_cuda.so.
                    throw new NotSupportedException(
                        $"The CUDA execution provider could not be enabled on device {options.CudaDeviceId} " +
                        $"(ONNX Runtime {OrtLibrary.Version}): {e.OrtMessage.TrimEnd('.')}. Use OnnxExecutionProvider.Cpu, or install " +
                        "ONNX Runtime's CUDA provider libraries next to libonnxruntime.so.1.", e);
                }
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static OnnxTensorInfo[] Describe(IntPtr session, nuint count, bool input)
    {
        var result = new OnnxTensorInfo[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            var name = OrtApi.SessionGetName(session, i, input);
            using var typeInfo = new OrtTypeInfoHandle(OrtApi.SessionGetTypeInfo(session, i, input));
            const int OnnxTypeTensor = 1;
            if (OrtApi.GetOnnxTypeFromTypeInfo(typeInfo.DangerousGetHandle()) != OnnxTypeTensor)
            {
                result[(int)i] = new OnnxTensorInfo(name, OnnxElementType.Undefined, [], []);
                continue;
            }

            var tensorInfo = OrtApi.CastTypeInfoToTensorInfo(typeInfo.DangerousGetHandle());
            var dims = OrtApi.GetDimensions(tensorInfo);
            result[(int)i] = new OnnxTensorInfo(name, OrtApi.GetTensorElementType(tensorInfo), dims,
                OrtApi.GetSymbolicDimensions(tensorInfo, dims.Length));
        }

        return result;
    }

    private static OnnxModelMetadata ReadMetadata(IntPtr session)
    {
        using var meta = new OrtModelMetadataHandle(OrtApi.SessionGetModelMetadata(session));
        var m = meta.DangerousGetHandle();
        return new OnnxModelMetadata(
            OrtApi.ModelMetadataGetString(m, OrtApi.MetadataString.ProducerName),
            OrtApi.ModelMetadataGetString(m, OrtApi.MetadataString.GraphName),
            OrtApi.ModelMetadataGetString(m, OrtApi.MetadataString.Domain),
            OrtApi.ModelMetadataGetString(m, OrtApi.MetadataString.Description),
            OrtApi.ModelMetadataGetVersion(m),
            OrtApi.ModelMetadataGetCustomMap(m));
    }

    private IntPtr NativeNames(IReadOnlyList<OnnxTensorInfo> infos)
    {
        var array = (IntPtr*)NativeMemory.Alloc((nuint)Math.Max(1, infos.Count), (nuint)sizeof(IntPtr));
        for (var i = 0; i < infos.Count; i++)
        {
            var bytes = OrtApi.Utf8(infos[i].Name);
            var s = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            bytes.CopyTo(new Span<byte>(s, bytes.Length));
            _nativeStrings.Add((IntPtr)s);
            array[i] = (IntPtr)s;
        }

        _nativeStrings.Add((IntPtr)array);
        return (IntPtr)array;
    }

    /// <summary>Releases the ORT session and the native name buffers. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _session.Dispose();
        foreach (var p in _nativeStrings)
        {
            NativeMemory.Free((void*)p);
        }

        _nativeStrings.Clear();
    }
}
