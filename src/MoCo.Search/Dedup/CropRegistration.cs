using MoCo.Imaging;
using MoCo.Imaging.Transforms;

namespace MoCo.Search.Dedup;

/// <summary>
/// Finds where one image sits inside another as a crop, resized or not: the window of the whole image whose gray pixels
/// correlate best with the part's (zero-mean normalised cross-correlation), searched over the part's size and position,
/// first on a 24-px copy of the whole (every scale from 0.4 to 1 of its width in steps of 0.04, every offset), then
/// around the best windows on copies of 64, 128 and at most 256 px (every width and offset within one pixel of the copy
/// before), so the window is exact to a pixel on images up to 256 px, and to a pixel of a 256-px copy beyond. The
/// part keeps its own aspect ratio in the window, so a square crop of a landscape photo is found too. The answer is
/// the window in the whole image's pixels, or null when the best correlation stays under
/// <see cref="MinCorrelation"/> or the part is flat (a flat part correlates with nothing).
/// </summary>
internal static class CropRegistration
{
    /// <summary>The correlation the best window must reach at the fine stage to count as the part's place.</summary>
    public const double MinCorrelation = 0.95;

    /// <summary>The coarse stage's correlation a window needs to be refined.</summary>
    public const double CoarseCorrelation = 0.7;

    private const int CoarseSide = 24;
    private const int MiddleSide = 64;
    private const int FineSide = 256;
    private const int Refined = 3;
    private const int MinWindow = 6;

    /// <summary>The window of <paramref name="whole"/> that <paramref name="part"/> is a crop of, or null.</summary>
    public static CropBox? Locate(DecodedImage whole, DecodedImage part) => Locate(whole, part, out _);

    /// <summary>As <see cref="Locate(DecodedImage, DecodedImage)"/>, with the fine stage's best correlation (−1 when none was refined).</summary>
    public static CropBox? Locate(DecodedImage whole, DecodedImage part, out double correlation)
    {
        ArgumentNullException.ThrowIfNull(whole);
        ArgumentNullException.ThrowIfNull(part);
        correlation = -1;
        var aspect = (double)part.Height / part.Width;

        // Gray once; each stage's templates come from one copy of the part no larger than that stage's plane (a window
        // never is), not from the full-size part every time.
        using var wholeGray = whole.Channels == 1 ? null : PixelImport.ToGray(whole);
        using var partGray = part.Channels == 1 ? null : PixelImport.ToGray(part);
        var partSource = partGray ?? part;
        var coarse = GrayPlane.Of(wholeGray ?? whole, CoarseSide);
        using var partCoarse = Shrunk(partSource, CoarseSide);
        var candidates = new List<(double Score, int Left, int Top, int Width, int Height)>();
        for (var scale = 0.4; scale <= 1.0001; scale += 0.04)
        {
            var width = (int)Math.Round(scale * coarse.Width);
            var height = (int)Math.Round(width * aspect);
            if (width < MinWindow || height < MinWindow || width > coarse.Width || height > coarse.Height)
            {
                continue;
            }

            var template = GrayPlane.Template(partCoarse ?? partSource, width, height);
            if (template is null)
            {
                return null;
            }

            var (score, left, top) = coarse.Best(template, width, height, 0, coarse.Width - width, 0, coarse.Height - height);
            if (score >= CoarseCorrelation)
            {
                candidates.Add((score, left, top, width, height));
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        // Refine through larger copies, each within one pixel of the last one's windows.
        var previous = coarse;
        var best = candidates.OrderByDescending(c => c.Score).First();
        foreach (var side in RefineSides(Math.Max(whole.Width, whole.Height)))
        {
            var plane = GrayPlane.Of(wholeGray ?? whole, side);
            using var partLevel = Shrunk(partSource, side);
            var ratio = (double)plane.Width / previous.Width;
            var reach = (int)Math.Ceiling(ratio);
            var refined = new List<(double Score, int Left, int Top, int Width, int Height)>();
            foreach (var c in candidates.OrderByDescending(c => c.Score).Take(Refined))
            {
                var found = Refine(plane, partLevel ?? partSource, aspect, c, ratio, reach);
                if (found is null)
                {
                    return null;
                }

                if (found.Value.Score > -1)
                {
                    refined.Add(found.Value);
                }
            }

            if (refined.Count == 0)
            {
                return null;
            }

            candidates = refined;
            best = refined.OrderByDescending(c => c.Score).First();
            previous = plane;
        }

        var fine = previous;
        correlation = best.Score;
        if (best.Score < MinCorrelation)
        {
            return null;
        }

        // Back to the whole image's pixels.
        double sx = (double)whole.Width / fine.Width, sy = (double)whole.Height / fine.Height;
        var boxLeft = Math.Clamp((int)Math.Round(best.Left * sx), 0, whole.Width - 1);
        var boxTop = Math.Clamp((int)Math.Round(best.Top * sy), 0, whole.Height - 1);
        var boxWidth = Math.Clamp((int)Math.Round(best.Width * sx), 1, whole.Width - boxLeft);
        var boxHeight = Math.Clamp((int)Math.Round(best.Height * sy), 1, whole.Height - boxTop);
        return new CropBox(boxTop, boxLeft, boxHeight, boxWidth);
    }

    // A copy of the gray image whose longer side is `side`, or null when it is no larger already.
    private static DecodedImage? Shrunk(DecodedImage gray, int side)
    {
        if (Math.Max(gray.Width, gray.Height) <= side)
        {
            return null;
        }

        var (width, height) = Fit(gray, side);
        return ImageOps.ResizedCrop(gray, new CropBox(0, 0, gray.Height, gray.Width), width, height);
    }

    private static (int Width, int Height) Fit(DecodedImage image, int side)
    {
        var scale = (double)side / Math.Max(image.Width, image.Height);
        return (Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
    }

    // The sides of the copies the coarse windows are refined on: 64, 128 and 256 px where the image is larger, and its
    // own side where that is under 256. A window off by a pixel at the encoder's scale is already another picture to it,
    // and encoders take 224-256 px, so the last copy is at full size up to 256 px.
    private static List<int> RefineSides(int longerSide)
    {
        var sides = new List<int>();
        for (var side = MiddleSide; side < Math.Min(longerSide, FineSide); side *= 2)
        {
            sides.Add(side);
        }

        var last = Math.Min(FineSide, longerSide);
        if (last > CoarseSide && !sides.Contains(last))
        {
            sides.Add(last);
        }

        return sides;
    }

    // The best window on plane near candidate c from a copy `ratio` times smaller: every width and offset within `reach`
    // pixels. Null when the part turns out flat at this size; Score -1 when no window fits.
    private static (double Score, int Left, int Top, int Width, int Height)? Refine(GrayPlane plane, DecodedImage part, double aspect,
        (double Score, int Left, int Top, int Width, int Height) c, double ratio, int reach)
    {
        (double Score, int Left, int Top, int Width, int Height) best = (-1, 0, 0, 0, 0);
        var centre = (int)Math.Round(c.Width * ratio);
        for (var width = Math.Max(MinWindow, centre - reach); width <= Math.Min(plane.Width, centre + reach); width++)
        {
            var height = (int)Math.Round(width * aspect);
            if (height < MinWindow || height > plane.Height)
            {
                continue;
            }

            var template = GrayPlane.Template(part, width, height);
            if (template is null)
            {
                return null;
            }

            int x0 = (int)Math.Round(c.Left * ratio), y0 = (int)Math.Round(c.Top * ratio);
            var (score, left, top) = plane.Best(template, width, height,
                Math.Max(0, x0 - reach), Math.Min(plane.Width - width, x0 + reach), Math.Max(0, y0 - reach), Math.Min(plane.Height - height, y0 + reach));
            if (score > best.Score)
            {
                best = (score, left, top, width, height);
            }
        }

        return best;
    }

    /// <summary>A gray image as floats with integral images of its values and squares, for window sums in O(1).</summary>
    private sealed class GrayPlane
    {
        private readonly float[] _values;
        private readonly double[] _sum;
        private readonly double[] _squares;

        private GrayPlane(float[] values, int width, int height)
        {
            _values = values;
            Width = width;
            Height = height;
            _sum = new double[(width + 1) * (height + 1)];
            _squares = new double[(width + 1) * (height + 1)];
            for (var y = 0; y < height; y++)
            {
                double row = 0, rowSquares = 0;
                for (var x = 0; x < width; x++)
                {
                    double v = values[(y * width) + x];
                    row += v;
                    rowSquares += v * v;
                    _sum[((y + 1) * (width + 1)) + x + 1] = _sum[(y * (width + 1)) + x + 1] + row;
                    _squares[((y + 1) * (width + 1)) + x + 1] = _squares[(y * (width + 1)) + x + 1] + rowSquares;
                }
            }
        }

        public int Width { get; }

        public int Height { get; }

        /// <summary>The gray <paramref name="image"/> resized so its longer side is <paramref name="side"/>.</summary>
        public static GrayPlane Of(DecodedImage image, int side)
        {
            var (width, height) = Fit(image, side);
            return new GrayPlane(Gray(image, width, height), width, height);
        }

        /// <summary>The gray <paramref name="image"/> resized to the window, minus its mean, over its norm; null when flat.</summary>
        public static float[]? Template(DecodedImage image, int width, int height)
        {
            var values = Gray(image, width, height);
            var mean = values.Average();
            double norm = 0;
            for (var i = 0; i < values.Length; i++)
            {
                values[i] -= mean;
                norm += (double)values[i] * values[i];
            }

            norm = Math.Sqrt(norm);
            if (norm < 1e-3 * values.Length)
            {
                return null;
            }

            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(values[i] / norm);
            }

            return values;
        }

        /// <summary>The offset in the given ranges (inclusive) where the window correlates best with <paramref name="template"/>.</summary>
        public (double Score, int Left, int Top) Best(float[] template, int width, int height, int left0, int left1, int top0, int top1)
        {
            (double Score, int Left, int Top) best = (-1, left0, top0);
            var n = width * height;
            for (var top = top0; top <= top1; top++)
            {
                for (var left = left0; left <= left1; left++)
                {
                    double sum = Window(_sum, left, top, width, height), squares = Window(_squares, left, top, width, height);
                    var energy = squares - (sum * sum / n);
                    if (energy <= 1e-9)
                    {
                        continue;
                    }

                    // The template sums to zero, so the window's mean drops out of the dot product.
                    double dot = 0;
                    for (var y = 0; y < height; y++)
                    {
                        dot += System.Numerics.Tensors.TensorPrimitives.Dot(template.AsSpan(y * width, width), _values.AsSpan(((top + y) * Width) + left, width));
                    }

                    var score = dot / Math.Sqrt(energy);
                    if (score > best.Score)
                    {
                        best = (score, left, top);
                    }
                }
            }

            return best;
        }

        private double Window(double[] table, int left, int top, int width, int height)
        {
            var stride = Width + 1;
            return table[((top + height) * stride) + left + width] - table[(top * stride) + left + width]
                - table[((top + height) * stride) + left] + table[(top * stride) + left];
        }

        // A gray image's bytes as floats, resized to width x height first where it is not that size.
        private static float[] Gray(DecodedImage gray, int width, int height)
        {
            using var small = width == gray.Width && height == gray.Height
                ? null
                : ImageOps.ResizedCrop(gray, new CropBox(0, 0, gray.Height, gray.Width), width, height);
            var pixels = (small ?? gray).Pixels;
            var values = new float[width * height];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = pixels[i];
            }

            return values;
        }
    }
}
