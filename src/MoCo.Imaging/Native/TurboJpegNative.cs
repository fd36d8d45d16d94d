using System.Runtime.InteropServices;

namespace MoCo.Imaging.Native;

/// <summary>
/// TurboJPEG 2.1 C API (libjpeg-turbo's turbojpeg.h), the subset used for decoding.
/// Debian bookworm ships 2.1.5, which has no tj3* functions, so the 2.x entry points are used.
/// </summary>
internal static partial class TurboJpegNative
{
    // Pixel formats (enum TJPF in turbojpeg.h).
    internal const int PixelFormatRgb = 0;
    internal const int PixelFormatGray = 6;
    internal const int PixelFormatCmyk = 11;

    // Colour spaces (enum TJCS).
    internal const int ColorSpaceRgb = 0;
    internal const int ColorSpaceYCbCr = 1;
    internal const int ColorSpaceGray = 2;
    internal const int ColorSpaceCmyk = 3;
    internal const int ColorSpaceYcck = 4;

    // TJFLAG_ACCURATEDCT: PIL decodes with libjpeg's default islow IDCT, which is the accurate one.
    internal const int FlagAccurateDct = 4096;

    [StructLayout(LayoutKind.Sequential)]
    internal struct ScalingFactor
    {
        public int Num;
        public int Denom;
    }

    static TurboJpegNative() => NativeLibraryResolver.Register();

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjInitDecompress")]
    internal static partial IntPtr InitDecompress();

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjDestroy")]
    internal static partial int Destroy(IntPtr handle);

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjDecompressHeader3")]
    internal static unsafe partial int DecompressHeader3(
        IntPtr handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int subsamp, out int colorspace);

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjDecompress2")]
    internal static unsafe partial int Decompress2(
        IntPtr handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjGetScalingFactors")]
    internal static unsafe partial ScalingFactor* GetScalingFactors(out int count);

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
    internal static partial IntPtr GetErrorStr2(IntPtr handle);

    [LibraryImport(NativeLibraryResolver.TurboJpeg, EntryPoint = "tjGetErrorCode")]
    internal static partial int GetErrorCode(IntPtr handle);

    internal const int ErrorWarning = 0; // TJERR_WARNING: the image was decoded despite the message

    /// <summary>The handle's last error message, carried through unchanged.</summary>
    internal static string LastError(IntPtr handle) =>
        Marshal.PtrToStringUTF8(GetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
