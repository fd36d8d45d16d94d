using System.Runtime.InteropServices;

namespace MoCo.Imaging.Native;

/// <summary>
/// libpng 1.6 simplified read API (png.h, "SIMPLIFIED API"): no setjmp, errors come back in
/// <see cref="PngImage.Message"/>.
/// </summary>
internal static partial class LibPngNative
{
    internal const uint ImageVersion = 1; // PNG_IMAGE_VERSION

    internal const uint FormatFlagAlpha = 0x01;    // PNG_FORMAT_FLAG_ALPHA
    internal const uint FormatFlagColor = 0x02;    // PNG_FORMAT_FLAG_COLOR
    internal const uint FormatFlagLinear = 0x04;   // PNG_FORMAT_FLAG_LINEAR
    internal const uint FormatFlagColormap = 0x08; // PNG_FORMAT_FLAG_COLORMAP

    internal const uint FormatGray = 0;
    internal const uint FormatGrayAlpha = FormatFlagAlpha;
    internal const uint FormatRgb = FormatFlagColor;
    internal const uint FormatRgba = FormatFlagColor | FormatFlagAlpha;

    /// <summary>Mirror of png.h's <c>png_image</c> (1.6): pointer, six png_uint_32, warning_or_error, char[64].</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct PngImage
    {
        public IntPtr Opaque;
        public uint Version;
        public uint Width;
        public uint Height;
        public uint Format;
        public uint Flags;
        public uint ColormapEntries;
        public uint WarningOrError;
        public fixed byte Message[64];

        /// <summary>PNG_IMAGE_FAILED: the low two bits hold 2 (error) or 3 (error after warning).</summary>
        public readonly bool Failed => (WarningOrError & 0x03) > 1;

        public string MessageText()
        {
            fixed (byte* m = Message)
            {
                return Marshal.PtrToStringUTF8((IntPtr)m) ?? string.Empty;
            }
        }
    }

    static LibPngNative() => NativeLibraryResolver.Register();

    [LibraryImport(NativeLibraryResolver.Png, EntryPoint = "png_image_begin_read_from_memory")]
    internal static unsafe partial int BeginReadFromMemory(PngImage* image, byte* memory, nuint size);

    [LibraryImport(NativeLibraryResolver.Png, EntryPoint = "png_image_finish_read")]
    internal static unsafe partial int FinishRead(PngImage* image, void* background, byte* buffer, int rowStride, void* colormap);

    [LibraryImport(NativeLibraryResolver.Png, EntryPoint = "png_image_free")]
    internal static unsafe partial void Free(PngImage* image);
}
