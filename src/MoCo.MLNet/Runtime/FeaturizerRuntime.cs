using MoCo.MLNet.Input;
using MoCo.Onnx;

namespace MoCo.MLNet.Runtime;

/// <summary>
/// What every batch shares: the step's graph loaded in ONNX Runtime, and the image preparer. Created once per
/// featurizer (for a transformer: lazily) and disposed with it.
/// </summary>
internal sealed class FeaturizerRuntime : IDisposable
{
    public FeaturizerRuntime(FittedStep step, MoCoFeaturesOptions runtimeOptions)
    {
        Step = step;
        DecodeThreads = runtimeOptions.DecodeThreads > 0 ? runtimeOptions.DecodeThreads : Environment.ProcessorCount;
        DecodeParallelism = new ParallelOptions { MaxDegreeOfParallelism = DecodeThreads };
        BatchSize = Math.Max(1, runtimeOptions.BatchSize);
        DecodePlacement = runtimeOptions.DecodePlacement;
        Preparer = new ImagePreparer(step.Preprocessing, step.Settings.ImageFolder, step.Settings.ScaledJpegDecode);
        Session = OnnxSession.Open(step.Graph, SessionOptions(runtimeOptions));
    }

    public FittedStep Step { get; }

    public ImageColumnKind Kind => Step.Kind;

    public int FeatureDimension => Step.FeatureDimension;

    public int DecodeThreads { get; }

    public ParallelOptions DecodeParallelism { get; }

    public int BatchSize { get; }

    /// <summary>Where each read-ahead decodes (a new <see cref="Runtime.DecodePlacement"/> per stream follows it).</summary>
    public DecodePlacementMode DecodePlacement { get; }

    public ImagePreparer Preparer { get; }

    public OnnxSession Session { get; }

    public void Dispose() => Session.Dispose();

    /// <summary>
    /// ORT's intra-op threads do not spin-wait between operators unless asked (<see cref="MoCoFeaturesOptions.OrtSpinning"/>):
    /// the next batch is decoded on the same cores while ORT runs, and spinning threads would take the time the
    /// decoders could use (bench/MoCo.MLNet.Bench measures both).
    /// </summary>
    internal static OnnxSessionOptions SessionOptions(MoCoFeaturesOptions options) => new()
    {
        IntraOpThreads = options.IntraOpThreads,
        AllowSpinning = options.OrtSpinning,
        ExecutionProvider = options.GpuDeviceId is null ? OnnxExecutionProvider.Cpu : OnnxExecutionProvider.Cuda,
        CudaDeviceId = options.GpuDeviceId ?? 0,
        FallbackToCpu = options.FallbackToCpu,
        Warn = message => Console.Error.WriteLine($"MoCoFeatures: {message}"),
    };
}
