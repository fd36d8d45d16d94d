using System.Runtime.InteropServices;

namespace MoCo.Onnx;

/// <summary>
/// Says why ORT's CUDA provider library does not load: ORT's exception stops at "Failed to load shared library",
/// while the dynamic loader names the missing dependency (<c>libcublasLt.so.13: cannot open shared object file</c>).
/// </summary>
internal static partial class CudaProviderLibrary
{
    internal const string FileName = "libonnxruntime_providers_cuda.so";
    private const int RtldNow = 2;

    /// <summary>Where the GPU package puts it: beside libonnxruntime.so (runtimes/linux-x64/native, or the app directory when published for a RID).</summary>
    internal static IEnumerable<string> Candidates() =>
    [
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", FileName),
        Path.Combine(AppContext.BaseDirectory, FileName),
    ];

    /// <summary>The loader's message for the provider library, or null when it loads (or this is not Linux).</summary>
    internal static string? LoadError()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var path = Candidates().FirstOrDefault(File.Exists);
        return path is null ? $"{FileName} is not next to the application ({AppContext.BaseDirectory})" : DlOpenError(path);
    }

    /// <summary>dlopen's own error text (.NET's DllNotFoundException leaves it out for some failures); null when it loads.</summary>
    internal static string? DlOpenError(string path)
    {
        try
        {
            // Binding a P/Invoke target calls dlsym, which clears dlerror's text: bind dlerror before dlopen fails.
            _ = DlError();
            var handle = DlOpen(path, RtldNow);
            if (handle != IntPtr.Zero)
            {
                _ = DlClose(handle);
                return null;
            }

            return Marshal.PtrToStringUTF8(DlError()) ?? $"{path}: dlopen failed";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // no glibc loader to ask (musl, say): ORT's message is all there is
        }
    }

    // glibc's loader interface; libdl.so.2 exists (as a compatibility stub since glibc 2.34) wherever glibc does.
    [LibraryImport("libdl.so.2", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlOpen(string path, int flags);

    [LibraryImport("libdl.so.2", EntryPoint = "dlerror")]
    private static partial IntPtr DlError();

    [LibraryImport("libdl.so.2", EntryPoint = "dlclose")]
    private static partial int DlClose(IntPtr handle);
}
