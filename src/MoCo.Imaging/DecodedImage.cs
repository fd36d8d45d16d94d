using System.Buffers;

namespace MoCo.Imaging;

/// <summary>
/// An 8-bit image in HWC layout (row-major, channels interleaved: gray or RGB) whose pixels live in
/// a buffer rented from <see cref="ArrayPool{T}.Shared"/>. Dispose it to return the buffer; the
/// pixels must not be used afterwards.
/// </summary>
public sealed class DecodedImage : IDisposable
{
    private byte[]? _buffer;

    /// <summary>Rents a buffer for a <paramref name="height"/> x <paramref name="width"/> x <paramref name="channels"/> image (contents unspecified).</summary>
    /// <param name="width">Width in pixels, at least 1.</param>
    /// <param name="height">Height in pixels, at least 1.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    public DecodedImage(int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (gray) or 3 (RGB).");
        }

        long length = (long)width * height * channels;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}x{channels} does not fit in one buffer.");
        }

        Width = width;
        Height = height;
        Channels = channels;
        _buffer = ArrayPool<byte>.Shared.Rent((int)length);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Channels per pixel: 1 (gray) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Bytes per row: <c>Width * Channels</c> (rows are packed).</summary>
    public int RowStride => Width * Channels;

    /// <summary>The pixels, HWC, <c>Height * Width * Channels</c> bytes.</summary>
    public Span<byte> Pixels => Buffer.AsSpan(0, Height * RowStride);

    internal byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(DecodedImage));

    /// <summary>Returns the pixel buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
