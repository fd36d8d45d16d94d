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
    private readonly NativeStringArray _inputNames;
    private readonly NativeStringArray _outputNames;
    private int _disposed;

    private OnnxSession(OrtSessionHandle session)
    {
        _session = session;
        var raw = session.DangerousGetHandle();
        Inputs = Describe(raw, OrtApi.SessionGetInputCount(raw), input: true);
        Outputs = Describe(raw, OrtApi.SessionGetOutputCount(raw), input: false);
        Metadata = ReadMetadata(raw);
        _inputNames = NativeStringArray.Create(Inputs.Select(i => i.Name).ToArray());
        _outputNames = NativeStringArray.Create(Outputs.Select(o => o.Name).ToArray());
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
        return Wrap(new OrtSessionHandle(
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
        return Wrap(new OrtSessionHandle(
            OrtApi.CreateSessionFromArray(OrtEnvironment.Env.DangerousGetHandle(), model, opts.DangerousGetHandle())));
    }

    /// <summary>Reads the session's description; releases the native session if that fails.</summary>
    private static OnnxSession Wrap(OrtSessionHandle handle)
    {
        try
        {
            return new OnnxSession(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
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

    /// <summary>
    /// Runs a single-input, single-output model and lets ORT write the output straight into
    /// <paramref name="output"/> (no copy). The output's shape is the model's with dynamic dimensions set
    /// to the input's batch size (its first dimension).
    /// </summary>
    /// <param name="input">Row-major input values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 3, 224, 224].</param>
    /// <param name="output">Receives the output, e.g. N·D features; its length must match exactly.</param>
    /// <returns>The output's shape (e.g. [N, D]).</returns>
    public long[] RunInto(ReadOnlySpan<float> input, ReadOnlySpan<long> shape, Span<float> output)
    {
        var outShape = ResolveOutputShape(shape, output.Length);
        fixed (float* p = input)
        fixed (float* o = output)
        {
            RunCore(p, input.Length, sizeof(float), OnnxElementType.Float, shape, o, outShape);
        }

        return outShape;
    }

    /// <summary>As <see cref="RunInto(ReadOnlySpan{float}, ReadOnlySpan{long}, Span{float})"/>, for a uint8 input (e.g. NHWC pixels).</summary>
    /// <param name="input">Row-major input values, as many as the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The input's shape, e.g. [N, 224, 224, 3].</param>
    /// <param name="output">Receives the output; its length must match exactly.</param>
    /// <returns>The output's shape.</returns>
    public long[] RunInto(ReadOnlySpan<byte> input, ReadOnlySpan<long> shape, Span<float> output)
    {
        var outShape = ResolveOutputShape(shape, output.Length);
        fixed (byte* p = input)
        fixed (float* o = output)
        {
            RunCore(p, input.Length, sizeof(byte), OnnxElementType.UInt8, shape, o, outShape);
        }

        return outShape;
    }

    private long[] ResolveOutputShape(ReadOnlySpan<long> inputShape, int outputLength)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Outputs.Count != 1 || inputShape.IsEmpty)
        {
            throw new InvalidOperationException($"RunInto needs a model with one output and a batched input; this one has outputs {string.Join(", ", Outputs)}.");
        }

        var batch = inputShape[0];
        var dims = Outputs[0].Shape.Select(d => d >= 0 ? d : batch).ToArray();
        if (Outputs[0].Shape.Skip(1).Any(d => d < 0))
        {
            throw new InvalidOperationException($"Output {Outputs[0]} has dynamic dimensions besides the batch; use Run, which returns ORT's shape.");
        }

        var count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != outputLength)
        {
            throw new ArgumentException($"Output {Outputs[0]} for batch {batch} has shape [{string.Join(", ", dims)}] ({count} values) but the buffer holds {outputLength}.", "output");
        }

        return dims;
    }

    private OnnxTensor RunOne(void* data, int length, int elementSize, OnnxElementType type, ReadOnlySpan<long> shape) =>
        RunCore(data, length, elementSize, type, shape, null, null)!;

    private OnnxTensor? RunCore(void* data, int length, int elementSize, OnnxElementType type, ReadOnlySpan<long> shape,
        float* output, long[]? outputShape)
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

        bool session = false, inNames = false, outNames = false;
        _session.DangerousAddRef(ref session);
        _inputNames.DangerousAddRef(ref inNames);
        _outputNames.DangerousAddRef(ref outNames);
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
                    if (output != null)
                    {
                        // A pre-allocated output: ORT writes the result into the caller's buffer.
                        var dims = outputShape!;
                        fixed (long* os = dims)
                        {
                            outputs[0] = OrtApi.CreateTensorWithData(OrtEnvironment.CpuMemory.DangerousGetHandle(), output,
                                (nuint)(dims.Aggregate(1L, (a, d) => a * d) * sizeof(float)), os, (nuint)dims.Length, OnnxElementType.Float);
                        }
                    }

                    OrtApi.Run(_session.DangerousGetHandle(), _inputNames.Pointer, &inputPtr, 1, _outputNames.Pointer, (nuint)Outputs.Count, outputs);
                    return output != null ? null : CopyFloat(outputs[0], Outputs[0].Name);
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
            if (outNames)
            {
                _outputNames.DangerousRelease();
            }

            if (inNames)
            {
                _inputNames.DangerousRelease();
            }

            if (session)
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

    /// <summary>Releases the ORT session and the native name buffers. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A Run in flight holds references: each handle is released when its last user lets go.
        _session.Dispose();
        _inputNames.Dispose();
        _outputNames.Dispose();
    }
}
