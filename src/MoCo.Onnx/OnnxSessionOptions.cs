namespace MoCo.Onnx;

/// <summary>Graph optimisation levels (GraphOptimizationLevel in onnxruntime_c_api.h).</summary>
public enum OnnxGraphOptimization
{
    /// <summary>No graph rewrites.</summary>
    None = 0,
    /// <summary>Semantics-preserving rewrites such as constant folding.</summary>
    Basic = 1,
    /// <summary>Basic plus node fusions.</summary>
    Extended = 2,
    /// <summary>Everything, including layout optimisations (ORT's default).</summary>
    All = 99,
}

/// <summary>Execution providers a session may use.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>ORT's CPU kernels (always available).</summary>
    Cpu,
    /// <summary>
    /// NVIDIA CUDA. Needs the GPU build of ONNX Runtime (build with <c>-p:MoCoOnnxGpu=true</c>, docs/onnx.md) plus
    /// CUDA 12 and cuDNN 9 on the machine; without them opening a session fails with a message saying what is
    /// missing, unless <see cref="OnnxSessionOptions.FallbackToCpu"/> is set.
    /// </summary>
    Cuda,
}

/// <summary>How a session is created. Immutable; use <c>with</c> to change a field.</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads used inside one operator. Default 0: ORT's choice (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads used to run independent operators in parallel. Default 0: ORT's choice (execution is sequential).</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Whether ORT's intra-op threads spin-wait for work between operators (ORT's session option
    /// <c>session.intra_op.allow_spinning</c>). Spinning shortens the hand-over between operators but holds the cores;
    /// turn it off when other threads (e.g. image decoders) need those cores while a run is in flight. Default true (ORT's default).
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>Graph optimisation level. Default <see cref="OnnxGraphOptimization.All"/>.</summary>
    public OnnxGraphOptimization GraphOptimization { get; init; } = OnnxGraphOptimization.All;

    /// <summary>Execution provider. Default <see cref="OnnxExecutionProvider.Cpu"/>.</summary>
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>CUDA device index when <see cref="ExecutionProvider"/> is CUDA. Default 0.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// When CUDA was asked for but cannot be used (a CPU-only build of ONNX Runtime, missing CUDA libraries, no
    /// device), run on the CPU instead of failing, as ML.NET's <c>fallbackToCpu</c> does. The session then reports
    /// <see cref="OnnxSession.ExecutionProvider"/> = Cpu and the reason in <see cref="OnnxSession.FallbackReason"/>,
    /// and the reason is passed to <see cref="Warn"/>. Default false: asking for CUDA where it cannot run is an error.
    /// </summary>
    public bool FallbackToCpu { get; init; }

    /// <summary>
    /// Receives warnings such as the CUDA → CPU fallback. Default null: they are written to standard error.
    /// </summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The defaults: CPU, all optimisations, ORT's thread counts.</summary>
    public static OnnxSessionOptions Default { get; } = new();
}
