using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace MoCo.Imaging.Native;

/// <summary>
/// Finds libturbojpeg and libpng for the P/Invoke declarations in this folder. A failed load
/// explains itself: every candidate path that was probed and why each failed.
/// </summary>
internal static class NativeLibraryResolver
{
    internal const string TurboJpeg = "turbojpeg";
    internal const string Png = "png16";

    // Debian bookworm's sonames (libturbojpeg0 2.1, libpng16-16 1.6), then the unversioned dev links.
    private static readonly Dictionary<string, string[]> Candidates = new(StringComparer.Ordinal)
    {
        [TurboJpeg] = ["libturbojpeg.so.0", "libturbojpeg.so", "/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0", "/usr/lib/aarch64-linux-gnu/libturbojpeg.so.0", "turbojpeg"],
        [Png] = ["libpng16.so.16", "libpng16.so", "/usr/lib/x86_64-linux-gnu/libpng16.so.16", "/usr/lib/aarch64-linux-gnu/libpng16.so.16", "libpng16", "png16"],
    };

    private static int _registered;

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
        if (!Candidates.TryGetValue(libraryName, out var candidates))
        {
            return IntPtr.Zero;
        }

        var report = new StringBuilder();
        foreach (var candidate in candidates)
        {
            try
            {
                return NativeLibrary.Load(candidate, assembly, searchPath);
            }
            catch (DllNotFoundException ex)
            {
                report.Append("\n  ").Append(candidate).Append(": ").Append(ex.Message);
            }
            catch (BadImageFormatException ex)
            {
                report.Append("\n  ").Append(candidate).Append(": ").Append(ex.Message);
            }
        }

        var package = libraryName == TurboJpeg ? "libturbojpeg0" : "libpng16-16";
        throw new DllNotFoundException(
            $"MoCo.Imaging could not load the native library '{libraryName}' (Debian package {package}). Probed:{report}");
    }
}
