using Ort = Microsoft.ML.OnnxRuntime;

namespace MoCo.Onnx;

/// <summary>
/// Creates the official <see cref="Ort.InferenceSession"/> for our options: thread counts, optimisation level, and
/// the execution provider, where a CUDA request that cannot be met is an error unless the caller opted into the CPU
/// fallback (then it is a warning, and the session says so).
/// </summary>
internal static class OrtSessionFactory
{
    internal const string CudaProvider = "CUDAExecutionProvider";

    /// <summary>The session, the provider it runs on, and why it is not the requested one (null when it is).</summary>
    internal static (Ort.InferenceSession Session, OnnxExecutionProvider Provider, string? FallbackReason) Create(
        Func<Ort.SessionOptions, Ort.InferenceSession> open, OnnxSessionOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CudaDeviceId);
        if (options.ExecutionProvider == OnnxExecutionProvider.Cpu)
        {
            return (OpenOnCpu(open, options), OnnxExecutionProvider.Cpu, null);
        }

        var reason = TryOpenOnCuda(open, options, out var session);
        if (session is not null)
        {
            return (session, OnnxExecutionProvider.Cuda, null);
        }

        if (!options.FallbackToCpu)
        {
            throw new NotSupportedException(
                $"{reason} Use OnnxExecutionProvider.Cpu, or set OnnxSessionOptions.FallbackToCpu to run on the CPU when CUDA is unavailable.");
        }

        var warning = $"ONNX Runtime: running on the CPU, not CUDA (FallbackToCpu): {reason}";
        (options.Warn ?? (m => Console.Error.WriteLine(m)))(warning);
        return (OpenOnCpu(open, options), OnnxExecutionProvider.Cpu, reason);
    }

    private static Ort.InferenceSession OpenOnCpu(Func<Ort.SessionOptions, Ort.InferenceSession> open, OnnxSessionOptions options)
    {
        using var sessionOptions = Build(options);
        return OrtErrors.Call("CreateSession", () => open(sessionOptions));
    }

    /// <summary>Opens the session with CUDA first in the provider list; returns why not when it cannot.</summary>
    private static string? TryOpenOnCuda(Func<Ort.SessionOptions, Ort.InferenceSession> open, OnnxSessionOptions options,
        out Ort.InferenceSession? session)
    {
        session = null;
        var providers = OnnxSession.AvailableProviders;
        if (!providers.Contains(CudaProvider))
        {
            return $"The CUDA execution provider was requested, but this ONNX Runtime ({OnnxSession.RuntimeVersion}, providers: " +
                   $"{string.Join(", ", providers)}) is the CPU-only build from the Microsoft.ML.OnnxRuntime package. CUDA needs " +
                   "the Microsoft.ML.OnnxRuntime.Gpu.Linux package: build with -p:MoCoOnnxGpu=true (docs/onnx.md).";
        }

        using var sessionOptions = Build(options);
        try
        {
            // Loads libonnxruntime_providers_cuda.so and, through it, CUDA and cuDNN.
            sessionOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
        }
        catch (Ort.OnnxRuntimeException e)
        {
            // ORT's message stops at "Failed to load shared library"; the loader says which dependency is missing.
            var detail = CudaProviderLibrary.LoadError();
            return $"The CUDA execution provider could not be enabled on device {options.CudaDeviceId} (ONNX Runtime " +
                   $"{OnnxSession.RuntimeVersion}): {OrtErrors.Parse(e.Message).Message.TrimEnd('.')}" +
                   (detail is null ? "" : $" ({detail.TrimEnd('.')})") +
                   $". ORT {OnnxSession.RuntimeVersion}'s CUDA provider needs CUDA 13 and cuDNN 9 where the loader finds them (docs/gpu.md).";
        }

        try
        {
            session = open(sessionOptions);
            return null;
        }
        catch (Ort.OnnxRuntimeException e) when (MentionsCuda(e.Message))
        {
            // Provider libraries present, device not usable (no GPU, driver too old, device id out of range).
            return $"The CUDA execution provider failed on device {options.CudaDeviceId} (ONNX Runtime {OnnxSession.RuntimeVersion}): " +
                   $"{OrtErrors.Parse(e.Message).Message.TrimEnd('.')}.";
        }
        catch (Ort.OnnxRuntimeException e)
        {
            throw OrtErrors.Translate(e, "CreateSession");
        }
    }

    private static bool MentionsCuda(string message) =>
        message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || message.Contains("cudnn", StringComparison.OrdinalIgnoreCase);

    private static Ort.SessionOptions Build(OnnxSessionOptions options)
    {
        var sessionOptions = new Ort.SessionOptions();
        try
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
            sessionOptions.InterOpNumThreads = options.InterOpThreads;
            sessionOptions.GraphOptimizationLevel = (Ort.GraphOptimizationLevel)(int)options.GraphOptimization;
            if (!options.AllowSpinning)
            {
                sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            }

            // Failures reach the caller as exceptions with ORT's message; ORT's own log would print them twice.
            sessionOptions.LogSeverityLevel = Ort.OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }
}
