namespace MoCo.Onnx.Native;

/// <summary>
/// The one OrtEnv of the process (ORT wants a single environment; sessions share its logging and
/// thread state) and one CPU memory-info describing caller-owned buffers. Both live as long as the process.
/// </summary>
internal static class OrtEnvironment
{
    private static readonly Lazy<OrtEnvHandle> EnvValue =
        new(() => new OrtEnvHandle(OrtApi.CreateEnv(loggingLevel: 4 /* ORT_LOGGING_LEVEL_FATAL: errors reach callers as exceptions instead */, "moco")));

    private static readonly Lazy<OrtMemoryInfoHandle> CpuValue = new(() => new OrtMemoryInfoHandle(OrtApi.CreateCpuMemoryInfo()));

    internal static OrtEnvHandle Env => EnvValue.Value;

    internal static OrtMemoryInfoHandle CpuMemory => CpuValue.Value;
}
