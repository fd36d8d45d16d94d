using System.Buffers;
using MoCo.Imaging.Native;

namespace MoCo.Imaging.Decoding;

/// <summary>JPEG through TurboJPEG: header, optional DCT scaling, RGB/gray/CMYK decode.</summary>
internal static class JpegDecoder
{
    private static HashSet<int>? _offered; // the 1/n scalings this libturbojpeg offers (fixed per library)

    internal static unsafe DecodedImage Decode(ReadOnlySpan<byte> data, string source, ImageDecodeOptions options)
    {
        IntPtr handle = TurboJpegNative.InitDecompress();
        if (handle == IntPtr.Zero)
        {
            throw new ImageDecodeException(source, "tjInitDecompress failed: " + TurboJpegNative.LastError(IntPtr.Zero));
        }

        try
        {
            fixed (byte* jpeg = data)
            {
                if (TurboJpegNative.DecompressHeader3(handle, jpeg, (nuint)data.Length, out int width, out int height, out _, out int colorspace) != 0)
                {
                    throw new ImageDecodeException(source, TurboJpegNative.LastError(handle));
                }

                ImageDecoder.CheckSize(source, width, height, options);
                (int sw, int sh) = ScaledSize(width, height, options.MinShorterSide);

                bool cmyk = colorspace is TurboJpegNative.ColorSpaceCmyk or TurboJpegNative.ColorSpaceYcck;
                bool gray = colorspace == TurboJpegNative.ColorSpaceGray;
                var image = new DecodedImage(sw, sh, gray ? 1 : 3);
                try
                {
                    if (cmyk)
                    {
                        byte[] tmp = ArrayPool<byte>.Shared.Rent(sw * sh * 4);
                        try
                        {
                            fixed (byte* dst = tmp)
                            {
                                Check(handle, source, TurboJpegNative.Decompress2(handle, jpeg, (nuint)data.Length, dst, sw, sw * 4, sh, TurboJpegNative.PixelFormatCmyk, TurboJpegNative.FlagAccurateDct));
                            }

                            PixelConversions.InvertedCmykToRgb(tmp.AsSpan(0, sw * sh * 4), image.Pixels);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(tmp);
                        }
                    }
                    else
                    {
                        int format = gray ? TurboJpegNative.PixelFormatGray : TurboJpegNative.PixelFormatRgb;
                        fixed (byte* dst = image.Buffer)
                        {
                            Check(handle, source, TurboJpegNative.Decompress2(handle, jpeg, (nuint)data.Length, dst, sw, image.RowStride, sh, format, TurboJpegNative.FlagAccurateDct));
                        }
                    }
                }
                catch
                {
                    image.Dispose();
                    throw;
                }

                return options.ApplyExifOrientation ? ExifOrientation.Apply(image, ExifOrientation.Read(data)) : image;
            }
        }
        finally
        {
            _ = TurboJpegNative.Destroy(handle);
        }
    }

    /// <summary>
    /// The smallest of TurboJPEG's 1/8, 1/4, 1/2 (or 1/1) scalings whose shorter side is still at least
    /// <paramref name="minShorterSide"/> (<see cref="DctScale"/>), among those this libturbojpeg offers.
    /// </summary>
    internal static unsafe (int Width, int Height) ScaledSize(int width, int height, int minShorterSide)
    {
        if (minShorterSide <= 0)
        {
            return (width, height);
        }

        _offered ??= OfferedDenominators();
        return DctScale.Size(width, height, DctScale.Denominator(width, height, minShorterSide, _offered.Contains));
    }

    private static unsafe HashSet<int> OfferedDenominators()
    {
        var factors = TurboJpegNative.GetScalingFactors(out int count);
        var offered = new HashSet<int>();
        for (int i = 0; i < count; i++)
        {
            if (factors[i].Num == 1)
            {
                offered.Add(factors[i].Denom);
            }
        }

        return offered;
    }

    private static void Check(IntPtr handle, string source, int rc)
    {
        if (rc == 0)
        {
            return;
        }

        string message = TurboJpegNative.LastError(handle);
        // A warning leaves a decoded image; only a truncated stream (grey-filled by libjpeg) is an error,
        // as PIL raises "image file is truncated" for it.
        if (TurboJpegNative.GetErrorCode(handle) == TurboJpegNative.ErrorWarning && !message.Contains("Premature end", StringComparison.Ordinal))
        {
            return;
        }

        throw new ImageDecodeException(source, message);
    }
}
