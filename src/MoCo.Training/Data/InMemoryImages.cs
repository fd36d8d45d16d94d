using TorchSharp;

namespace MoCo.Training.Data;

/// <summary>Images held in memory as one uint8 N×C×H×W tensor (e.g. all of Fashion-MNIST: 47 MB), with optional labels.</summary>
public sealed class InMemoryImages : IDisposable
{
    private InMemoryImages(Tensor images, long[]? labels)
    {
        Images = images;
        Labels = labels;
        long[] s = images.shape;
        (Count, Channels, Height, Width) = ((int)s[0], (int)s[1], (int)s[2], (int)s[3]);
    }

    /// <summary>The pixels, uint8 N×C×H×W (CPU).</summary>
    public Tensor Images { get; }
    /// <summary>Class labels, or null for unlabelled data.</summary>
    public long[]? Labels { get; }
    /// <summary>Number of images.</summary>
    public int Count { get; }
    /// <summary>Channels (1 or 3).</summary>
    public int Channels { get; }
    /// <summary>Height.</summary>
    public int Height { get; }
    /// <summary>Width.</summary>
    public int Width { get; }

    /// <summary>Copies <paramref name="pixels"/> (N·C·H·W bytes, NCHW order; for one channel NHW is the same) into a tensor.</summary>
    public static InMemoryImages FromPixels(ReadOnlySpan<byte> pixels, int count, int channels, int height, int width, long[]? labels = null)
    {
        if (count <= 0 || channels is not (1 or 3) || height <= 0 || width <= 0)
            throw new ArgumentException($"invalid image set: {count} images of {channels}×{height}×{width}");
        if (pixels.Length != (long)count * channels * height * width)
            throw new ArgumentException($"{count} images of {channels}×{height}×{width} need {(long)count * channels * height * width} bytes, got {pixels.Length}");
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"{labels.Length} labels for {count} images");
        var images = TensorExtensions.FromRaw(pixels, [count, channels, height, width], ScalarType.Byte).DetachFromDisposeScope();
        return new InMemoryImages(images, labels);
    }

    /// <summary>The first <paramref name="n"/> images (all if n ≥ Count).</summary>
    public InMemoryImages Take(int n)
    {
        if (n >= Count) n = Count;
        using Tensor head = Images.narrow(0, 0, n);
        var copy = head.clone().DetachFromDisposeScope();
        return new InMemoryImages(copy, Labels?[..n]);
    }

    /// <summary>Frees the pixels.</summary>
    public void Dispose() => Images.Dispose();
}
