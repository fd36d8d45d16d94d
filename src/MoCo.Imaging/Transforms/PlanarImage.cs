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

    internal static void Deinterleave3(ReadOnlySpan<byte> rgb, Span<byte> r, Span<byte> g, Span<byte> b)
    {
        int n = r.Length;
        if (rgb.Length < 3 * n || g.Length < n || b.Length < n)
        {
            throw new ArgumentException("plane and pixel lengths disagree.", nameof(rgb));
        }

        ref byte src = ref MemoryMarshal.GetReference(rgb);
        ref byte rr = ref MemoryMarshal.GetReference(r);
        ref byte gg = ref MemoryMarshal.GetReference(g);
        ref byte bb = ref MemoryMarshal.GetReference(b);
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref rr, i) = Unsafe.Add(ref src, 3 * i);
            Unsafe.Add(ref gg, i) = Unsafe.Add(ref src, (3 * i) + 1);
            Unsafe.Add(ref bb, i) = Unsafe.Add(ref src, (3 * i) + 2);
        }
    }

    internal static void Interleave3(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> rgb)
    {
        int n = r.Length;
        if (rgb.Length < 3 * n || g.Length < n || b.Length < n)
        {
            throw new ArgumentException("plane and pixel lengths disagree.", nameof(rgb));
        }

        ref byte dst = ref MemoryMarshal.GetReference(rgb);
        ref byte rr = ref MemoryMarshal.GetReference(r);
        ref byte gg = ref MemoryMarshal.GetReference(g);
        ref byte bb = ref MemoryMarshal.GetReference(b);
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref dst, 3 * i) = Unsafe.Add(ref rr, i);
            Unsafe.Add(ref dst, (3 * i) + 1) = Unsafe.Add(ref gg, i);
            Unsafe.Add(ref dst, (3 * i) + 2) = Unsafe.Add(ref bb, i);
        }
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
