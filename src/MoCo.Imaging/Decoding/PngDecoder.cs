using System.Buffers;
using MoCo.Imaging.Native;

namespace MoCo.Imaging.Decoding;

/// <summary>PNG through libpng's simplified API: any bit depth, palette and alpha, read as 8-bit gray or RGB.</summary>
internal static class PngDecoder
{
    internal static bool IsPng(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    // PNG_IMAGE_FLAG_16BIT_sRGB: 16-bit samples without gAMA/sRGB are sRGB-encoded, as PIL assumes
    // (libpng otherwise treats them as linear and gamma-encodes them on the way to 8 bits).
    private const uint Flag16BitSrgb = 0x04;

    internal static unsafe DecodedImage Decode(ReadOnlySpan<byte> data, string source, ImageDecodeOptions options)
    {
        var png = new LibPngNative.PngImage { Version = LibPngNative.ImageVersion };
        fixed (byte* mem = data)
        {
            if (LibPngNative.BeginReadFromMemory(&png, mem, (nuint)data.Length) == 0)
            {
                string message = png.MessageText();
                LibPngNative.Free(&png);
                throw new ImageDecodeException(source, message);
            }

            try
            {
                ImageDecoder.CheckSize(source, png.Width > int.MaxValue ? int.MaxValue : (int)png.Width, png.Height > int.MaxValue ? int.MaxValue : (int)png.Height, options);
                int w = (int)png.Width, h = (int)png.Height;
                bool color = (png.Format & LibPngNative.FormatFlagColor) != 0;
                bool alpha = (png.Format & LibPngNative.FormatFlagAlpha) != 0;
                int channels = color ? 3 : 1;
                int readChannels = channels + (alpha ? 1 : 0);
                png.Format = (color ? LibPngNative.FormatRgb : LibPngNative.FormatGray) | (alpha ? LibPngNative.FormatFlagAlpha : 0);
                png.Flags |= Flag16BitSrgb;

                var image = new DecodedImage(w, h, channels);
                byte[]? tmp = alpha ? ArrayPool<byte>.Shared.Rent(w * h * readChannels) : null;
                try
                {
                    fixed (byte* dst = tmp ?? image.Buffer)
                    {
                        if (LibPngNative.FinishRead(&png, null, dst, w * readChannels, null) == 0)
                        {
                            throw new ImageDecodeException(source, png.MessageText());
                        }
                    }

                    if (tmp is not null)
                    {
                        // PIL's convert('RGB'/'L') drops alpha without compositing.
                        PixelConversions.DropAlpha(tmp, w * h, readChannels);
                        tmp.AsSpan(0, w * h * channels).CopyTo(image.Pixels);
                    }
                }
                catch
                {
                    image.Dispose();
                    throw;
                }
                finally
                {
                    if (tmp is not null)
                    {
                        ArrayPool<byte>.Shared.Return(tmp);
                    }
                }

                return image;
            }
            finally
            {
                LibPngNative.Free(&png);
            }
        }
    }
}
