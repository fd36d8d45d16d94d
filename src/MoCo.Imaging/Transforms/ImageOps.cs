namespace MoCo.Imaging.Transforms;

/// <summary>
/// Geometric operations on <see cref="DecodedImage"/>s with torchvision-on-PIL semantics. Each returns
/// a new pooled image and leaves its input alone (the caller disposes both).
/// </summary>
public static class ImageOps
{
    /// <summary>Crops <paramref name="box"/> (which must lie inside the image) and resizes it to <paramref name="width"/> x <paramref name="height"/> with Pillow's antialiased bilinear filter (torchvision's <c>F.resized_crop</c>).</summary>
    public static DecodedImage ResizedCrop(DecodedImage image, CropBox box, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckBox(image, box);
        var result = new DecodedImage(width, height, image.Channels);

        // No copy of the box: the resampler reads it in place (its horizontal pass starts with a transposing copy of the rows it needs).
        PillowResampler.ResizeBilinear(image.Pixels, image.RowStride, box, image.Channels, result.Pixels, width, height);
        return result;
    }

    /// <summary>Resizes so the shorter side is <paramref name="shorterSide"/>, the longer side <c>int(shorterSide * long / short)</c> (torchvision 0.14 <c>Resize(int)</c>), Pillow bilinear.</summary>
    public static DecodedImage ResizeShorterSide(DecodedImage image, int shorterSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(shorterSide, 1);
        var (w, h) = ShorterSideSize(image.Width, image.Height, shorterSide);
        return ResizedCrop(image, new CropBox(0, 0, image.Height, image.Width), w, h);
    }

    internal static (int Width, int Height) ShorterSideSize(int width, int height, int shorterSide)
    {
        bool wideOrSquare = width <= height;
        int shortSide = wideOrSquare ? width : height, longSide = wideOrSquare ? height : width;
        int newLong = (int)((double)shorterSide * longSide / shortSide);
        return wideOrSquare ? (shorterSide, newLong) : (newLong, shorterSide);
    }

    /// <summary>The central <paramref name="size"/> x <paramref name="size"/> box: top = round((H - size) / 2) with Python's round-half-to-even, as torchvision's CenterCrop.</summary>
    public static CropBox CenterCropBox(int width, int height, int size)
    {
        if (size > width || size > height)
        {
            throw new ArgumentOutOfRangeException(nameof(size), $"center crop {size}x{size} is larger than the {width}x{height} image.");
        }

        return new CropBox((int)Math.Round((height - size) / 2.0, MidpointRounding.ToEven), (int)Math.Round((width - size) / 2.0, MidpointRounding.ToEven), size, size);
    }

    /// <summary>Mirrors the image left-right in place (PIL's FLIP_LEFT_RIGHT).</summary>
    public static void FlipHorizontalInPlace(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, c = image.Channels;
        Span<byte> px = image.Pixels;
        for (int y = 0; y < image.Height; y++)
        {
            var row = px.Slice(y * w * c, w * c);
            if (c == 1)
            {
                row.Reverse();
                continue;
            }

            for (int l = 0, r = (w - 1) * 3; l < r; l += 3, r -= 3)
            {
                (row[l], row[r]) = (row[r], row[l]);
                (row[l + 1], row[r + 1]) = (row[r + 1], row[l + 1]);
                (row[l + 2], row[r + 2]) = (row[r + 2], row[l + 2]);
            }
        }
    }

    /// <summary>RandomGrayscale's operation on an RGB image, in place: PIL's convert('L') replicated to 3 channels (gray images are unchanged).</summary>
    public static void GrayscaleInPlace(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels == 1)
        {
            return;
        }

        using var planes = PlanarImage.From(image);
        PillowColor.Grayscale(planes);
        planes.CopyTo(image);
    }

    /// <summary>
    /// Writes the image as float CHW into <paramref name="chw"/>: (v / 255 - mean[c]) / std[c]
    /// (torchvision ToTensor then Normalize). <paramref name="mean"/> and <paramref name="std"/> hold one value per channel.
    /// </summary>
    public static void Normalize(DecodedImage image, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, Span<float> chw)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckNormalize(image.Width, image.Height, image.Channels, mean, std, chw);
        using var planes = PlanarImage.From(image);
        NormalizePlanes(planes, mean, std, chw);
    }

    /// <summary>ToTensor + Normalize from planes: every plane is contiguous, so this is one vector pass per channel.</summary>
    internal static void NormalizePlanes(PlanarImage planes, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, Span<float> chw)
    {
        CheckNormalize(planes.Width, planes.Height, planes.Channels, mean, std, chw);
        int n = planes.PlaneSize;
        for (int ch = 0; ch < planes.Channels; ch++)
        {
            // The same two IEEE operations as (v / 255f - m) / s per value, lane by lane.
            Normalization.ToUnitThenStandardize(planes.Plane(ch), mean[ch], std[ch], chw.Slice(ch * n, n));
        }
    }

    private static void CheckNormalize(int width, int height, int c, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, Span<float> chw)
    {
        int n = width * height;
        if (mean.Length != c || std.Length != c)
        {
            throw new ArgumentException($"mean/std have {mean.Length}/{std.Length} values for a {c}-channel image.", nameof(mean));
        }

        if (chw.Length < c * n)
        {
            throw new ArgumentException($"destination holds {chw.Length} floats, needs {c}x{height}x{width} = {c * n}.", nameof(chw));
        }
    }

    private static void CheckBox(DecodedImage image, CropBox box)
    {
        if (box.Top < 0 || box.Left < 0 || box.Height < 1 || box.Width < 1 || box.Top + box.Height > image.Height || box.Left + box.Width > image.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(box), $"{box} does not lie inside the {image.Width}x{image.Height} image.");
        }
    }
}
