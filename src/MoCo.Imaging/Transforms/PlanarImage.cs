using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoCo.Imaging.Transforms;

/// <summary>
/// An 8-bit image stored as planes (CHW: all R, then all G, then all B; one plane for gray) in a pooled
/// buffer. The colour kernels work on planes because one vector then holds the same channel of
/// consecutive pixels, and normalisation writes CHW floats from it without a gather.
/// </summary>
internal sealed class PlanarImage : IDisposable
{
    private byte[]? _buffer;

    internal PlanarImage(int width, int height, int channels)
    {
        Width = width;
        Height = height;
        Channels = channels;
        _buffer = ArrayPool<byte>.Shared.Rent(width * height * channels);
    }

    internal int Width { get; }

    internal int Height { get; }

    internal int Channels { get; }

    internal int PlaneSize => Width * Height;

    /// <summary>Every plane, one after the other.</summary>
    internal Span<byte> All => Buffer.AsSpan(0, PlaneSize * Channels);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PlanarImage));

    internal Span<byte> Plane(int channel) => Buffer.AsSpan(channel * PlaneSize, PlaneSize);

    /// <summary>Splits an interleaved (HWC) image into planes.</summary>
    internal static PlanarImage From(DecodedImage image)
    {
        var planar = new PlanarImage(image.Width, image.Height, image.Channels);
        if (image.Channels == 1)
        {
            image.Pixels.CopyTo(planar.All);
        }
        else
        {
            Deinterleave3(image.Pixels, planar.Plane(0), planar.Plane(1), planar.Plane(2));
        }

        return planar;
    }

    /// <summary>Writes the planes back into an interleaved image of the same size.</summary>
    internal void CopyTo(DecodedImage image)
    {
        if (image.Width != Width || image.Height != Height || image.Channels != Channels)
        {
            throw new ArgumentException($"destination is {image.Width}x{image.Height}x{image.Channels}, planes are {Width}x{Height}x{Channels}.", nameof(image));
        }

        if (Channels == 1)
        {
            All.CopyTo(image.Pixels);
        }
        else
        {
            Interleave3(Plane(0), Plane(1), Plane(2), image.Pixels);
        }
    }

    /// <summary>Mirrors every plane left-right (PIL's FLIP_LEFT_RIGHT); <see cref="MemoryExtensions.Reverse{T}(Span{T})"/> is vectorised.</summary>
    internal void FlipHorizontal()
    {
        Span<byte> all = All;
        for (int row = 0; row < Height * Channels; row++)
        {
            all.Slice(row * Width, Width).Reverse();
        }
    }

    internal static void Deinterleave3(ReadOnlySpan<byte> rgb, Span<byte> r, Span<byte> g, Span<byte> b) =>
        Transpose3<ToPlanes>(ref MemoryMarshal.GetReference(rgb), ref MemoryMarshal.GetReference(r), ref MemoryMarshal.GetReference(g),
            ref MemoryMarshal.GetReference(b), PixelCount(rgb.Length, r.Length, g.Length, b.Length));

    internal static void Interleave3(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> rgb) =>
        Transpose3<ToPixels>(ref MemoryMarshal.GetReference(rgb), ref MemoryMarshal.GetReference(r), ref MemoryMarshal.GetReference(g),
            ref MemoryMarshal.GetReference(b), PixelCount(rgb.Length, r.Length, g.Length, b.Length));

    /// <summary>The pixel count, the red plane's length, after checking that the other planes and the interleaved pixels hold it.</summary>
    private static int PixelCount(int rgbLength, int rLength, int gLength, int bLength)
    {
        if (rgbLength < 3 * rLength || gLength < rLength || bLength < rLength)
        {
            throw new ArgumentException("plane and pixel lengths disagree.", "rgb");
        }

        return rLength;
    }

    /// <summary>Walks <paramref name="n"/> interleaved pixels and the three planes together; <typeparamref name="TDirection"/>
    /// says which side is copied to the other (a struct, so the JIT compiles one plain loop per direction).</summary>
    private static void Transpose3<TDirection>(ref byte rgb, ref byte r, ref byte g, ref byte b, int n)
        where TDirection : struct, ITransposeDirection
    {
        for (int i = 0; i < n; i++)
        {
            TDirection.Copy(ref Unsafe.Add(ref rgb, 3 * i), ref Unsafe.Add(ref r, i));
            TDirection.Copy(ref Unsafe.Add(ref rgb, (3 * i) + 1), ref Unsafe.Add(ref g, i));
            TDirection.Copy(ref Unsafe.Add(ref rgb, (3 * i) + 2), ref Unsafe.Add(ref b, i));
        }
    }

    private interface ITransposeDirection
    {
        static abstract void Copy(ref byte pixel, ref byte plane);
    }

    /// <summary>Pixels to planes.</summary>
    private readonly struct ToPlanes : ITransposeDirection
    {
        public static void Copy(ref byte pixel, ref byte plane) => plane = pixel;
    }

    /// <summary>Planes to pixels.</summary>
    private readonly struct ToPixels : ITransposeDirection
    {
        public static void Copy(ref byte pixel, ref byte plane) => pixel = plane;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
