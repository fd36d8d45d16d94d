using System.Runtime.InteropServices;

namespace MoCo.Onnx.Native;

/// <summary>
/// Loads libonnxruntime.so.1 once per process and resolves the OrtApi function table
/// (OrtGetApiBase → GetApi(<see cref="ApiVersion"/>)).
/// </summary>
internal static unsafe class OrtLibrary
{
    /// <summary>ORT_API_VERSION of onnxruntime_c_api.h in ONNX Runtime 1.30.</summary>
    internal const uint ApiVersion = 30;

    internal const string FileName = "libonnxruntime.so.1";

    private static readonly Lazy<Loaded> State = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Base address of the OrtApi struct (an array of function pointers).</summary>
    internal static void** Api => State.Value.Api;

    internal static IntPtr Handle => State.Value.Handle;

    /// <summary>The version string the loaded library reports (e.g. "1.30.0").</summary>
    internal static string Version => State.Value.Version;

    internal sealed class Loaded(IntPtr handle, void** api, string version)
    {
        public IntPtr Handle { get; } = handle;
        public void** Api { get; } = api;
        public string Version { get; } = version;
    }

    /// <summary>Where we look, in order: next to the assemblies (where MSBuild copies it), then the set-up cache.</summary>
    internal static IReadOnlyList<string> ProbePaths()
    {
        var paths = new List<string>();
        var overridePath = Environment.GetEnvironmentVariable("MOCO_ONNXRUNTIME_LIBRARY");
        if (!string.IsNullOrEmpty(overridePath))
        {
            paths.Add(overridePath);
        }

        var baseDir = AppContext.BaseDirectory;
        paths.Add(Path.Combine(baseDir, "runtimes", "linux-x64", "native", FileName));
        paths.Add(Path.Combine(baseDir, FileName));
        return paths;
    }

    private static Loaded Load() => LoadFirst(ProbePaths());

    /// <summary>Loads the first of <paramref name="paths"/> that is an ONNX Runtime library; otherwise says what each path failed with.</summary>
    internal static Loaded LoadFirst(IReadOnlyList<string> paths)
    {
        var failures = new List<string>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                failures.Add($"{path}: not found");
                continue;
            }

            try
            {
                var handle = NativeLibrary.Load(path);
                return Resolve(handle, path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or OnnxRuntimeNotFoundException)
            {
                failures.Add($"{path}: {e.Message}");
            }
        }

        throw new OnnxRuntimeNotFoundException(
            $"ONNX Runtime's native library ({FileName}) could not be loaded. Run build/setup.sh (or build/fetch-onnxruntime.sh) " +
            "to fetch it, or set MOCO_ONNXRUNTIME_LIBRARY to its path. Probed:" + Environment.NewLine +
            string.Join(Environment.NewLine, failures.Select(f => "  " + f)));
    }

    private static Loaded Resolve(IntPtr handle, string path)
    {
        if (!NativeLibrary.TryGetExport(handle, "OrtGetApiBase", out var getApiBase))
        {
            throw new OnnxRuntimeNotFoundException($"{path} has no OrtGetApiBase export: not an ONNX Runtime library.");
        }

        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = ((delegate* unmanaged<void**>)getApiBase)();
        var getApi = (delegate* unmanaged<uint, void**>)apiBase[0];
        var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
        var version = Marshal.PtrToStringUTF8((IntPtr)getVersion()) ?? "?";
        var api = getApi(ApiVersion);
        if (api == null)
        {
            throw new OnnxRuntimeNotFoundException(
                $"{path} (ONNX Runtime {version}) does not provide C API version {ApiVersion}; ONNX Runtime 1.30 or newer is needed.");
        }

        return new Loaded(handle, api, version);
    }
}
