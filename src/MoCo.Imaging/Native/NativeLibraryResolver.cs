using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace MoCo.Imaging.Native;

/// <summary>
/// Finds libturbojpeg for the P/Invoke declarations in this folder, and says whether it loads
/// (<see cref="IsAvailable"/>: <see cref="DecoderBackend.Auto"/> falls back to SkiaSharp when it does not). A failed
/// load explains itself: every candidate path that was probed and why each failed.
/// </summary>
internal static class NativeLibraryResolver
{
    internal const string TurboJpeg = "turbojpeg";

    // Debian bookworm's soname (libturbojpeg0 2.1), then the unversioned dev link and the multiarch paths.
    private static readonly Dictionary<string, string[]> Candidates = new(StringComparer.Ordinal)
    {
        [TurboJpeg] = ["libturbojpeg.so.0", "libturbojpeg.so", "/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0", "/usr/lib/aarch64-linux-gnu/libturbojpeg.so.0", "turbojpeg"],
    };

    private static readonly ConcurrentDictionary<string, (IntPtr Handle, string Report)> Probes = new(StringComparer.Ordinal);
    private static readonly Lock HiddenLock = new();
    private static string[] _hidden = [];
    private static int _registered;

    /// <summary>Whether <paramref name="libraryName"/> (<see cref="TurboJpeg"/>) loads; probed once per process.</summary>
    internal static bool IsAvailable(string libraryName) => !IsHidden(libraryName) && Probe(libraryName).Handle != IntPtr.Zero;

    /// <summary>Throws the <see cref="DllNotFoundException"/> listing every path probed unless <paramref name="libraryName"/> loads.</summary>
    internal static void EnsureAvailable(string libraryName)
    {
        if (!IsAvailable(libraryName))
        {
            throw NotFound(libraryName);
        }
    }

    /// <summary>
    /// Makes the libraries look missing until the result is disposed, as on a machine without them (tests of the
    /// fallback). Process-wide; bindings already made stay bound, which is why every path checks
    /// <see cref="IsAvailable"/> before its first call.
    /// </summary>
    internal static IDisposable Hide(params string[] libraryNames)
    {
        lock (HiddenLock)
        {
            var before = _hidden;
            _hidden = [.. before, .. libraryNames];
            return new Restore(before);
        }
    }

    private static bool IsHidden(string libraryName) => Array.IndexOf(Volatile.Read(ref _hidden), libraryName) >= 0;

    private static (IntPtr Handle, string Report) Probe(string libraryName) => Probes.GetOrAdd(libraryName, static name =>
    {
        var report = new StringBuilder();
        foreach (var candidate in Candidates[name])
        {
            if (NativeLibrary.TryLoad(candidate, typeof(NativeLibraryResolver).Assembly, null, out var handle))
            {
                return (handle, "");
            }

            try
            {
                // TryLoad gives no reason; Load's exception carries the loader's message (file missing, wrong ELF class...).
                NativeLibrary.Free(NativeLibrary.Load(candidate, typeof(NativeLibraryResolver).Assembly, null));
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                report.Append("\n  ").Append(candidate).Append(": ").Append(ex.Message);
            }
        }

        return (IntPtr.Zero, report.ToString());
    });

    private static DllNotFoundException NotFound(string libraryName)
    {
        const string package = "libturbojpeg0";
        string probed = IsHidden(libraryName) ? "\n  (hidden by NativeLibraryResolver.Hide)" : Probe(libraryName).Report;
        return new DllNotFoundException(
            $"MoCo.Imaging could not load the native library '{libraryName}' (Debian package {package}; DecoderBackend.Auto decodes JPEGs with SkiaSharp without it). Probed:{probed}");
    }

    /// <summary>Installs the resolver once for this assembly (called from every binding's static constructor).</summary>
    internal static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!Candidates.ContainsKey(libraryName))
        {
            return IntPtr.Zero;
        }

        EnsureAvailable(libraryName);
        return Probe(libraryName).Handle;
    }

    private sealed class Restore(string[] before) : IDisposable
    {
        public void Dispose()
        {
            lock (HiddenLock)
            {
                _hidden = before;
            }
        }
    }
}
