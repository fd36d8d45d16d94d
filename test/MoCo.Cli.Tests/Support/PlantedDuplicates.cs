using MoCo.Imaging.Datasets;
using MoCo.Imaging.Idx;
using SkiaSharp;

namespace MoCo.Cli.Tests.Support;

/// <summary>
/// A folder of distinct images with planted near-duplicates, the four kinds issue 20 names: an exact copy, a 0.5×
/// resized copy, a JPEG quality 50 re-encoding and a 90% crop (90% of each side, at a seeded corner). Originals are
/// Fashion-MNIST test images (Debian's dataset-fashion-mnist) drawn at 2× (56 px), so a 0.5× copy has the original
/// resolution; image k of the test split is used once at most, so no two originals are the same picture.
/// </summary>
internal static class PlantedDuplicates
{
    public static readonly string[] Kinds = ["copy", "half", "jpeg50", "crop90"];

    /// <summary>Writes <paramref name="distinct"/> originals and, for the first <paramref name="planted"/> of them, one
    /// duplicate of each kind; returns the groups (original first) and the paths of the singletons.</summary>
    public static (List<string[]> Groups, List<string> Singletons) Write(string folder, int distinct, int planted, int seed)
    {
        var (images, _) = IdxSplit.Locate(FashionMnist.Directory, train: false);
        var (count, h, w, pixels) = IdxReader.ReadImages(images);
        var rng = new Random(seed);
        var picks = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).Take(distinct).ToArray();
        return Write(folder, distinct, planted, seed, i => Upscaled(pixels.AsSpan(picks[i] * h * w, h * w), w, h));
    }

    /// <summary>As <see cref="Write(string, int, int, int)"/>, with smooth random colour fields as originals.</summary>
    public static (List<string[]> Groups, List<string> Singletons) WriteColourFields(string folder, int distinct, int planted, int seed)
    {
        var rng = new Random(seed + 1);
        return Write(folder, distinct, planted, seed, _ => ColourField(rng));
    }

    private static (List<string[]> Groups, List<string> Singletons) Write(string folder, int distinct, int planted, int seed, Func<int, SKBitmap> make)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        var groups = new List<string[]>();
        var singletons = new List<string>();
        for (var i = 0; i < distinct; i++)
        {
            using var original = make(i);
            var path = Path.Combine(folder, $"img{i:D4}.png");
            Save(original, path, SKEncodedImageFormat.Png, 100);
            if (i >= planted)
            {
                singletons.Add(path);
                continue;
            }

            var copy = Path.Combine(folder, $"img{i:D4}-copy.png");
            File.Copy(path, copy);
            var half = Path.Combine(folder, $"img{i:D4}-half.png");
            using (var small = original.Resize(new SKImageInfo(original.Width / 2, original.Height / 2, original.ColorType, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell)))
            {
                Save(small, half, SKEncodedImageFormat.Png, 100);
            }

            var jpeg = Path.Combine(folder, $"img{i:D4}-q50.jpg");
            Save(original, jpeg, SKEncodedImageFormat.Jpeg, 50);
            var crop = Path.Combine(folder, $"img{i:D4}-crop.png");
            int cw = original.Width * 9 / 10, ch = original.Height * 9 / 10;
            int x = rng.Next(original.Width - cw + 1), y = rng.Next(original.Height - ch + 1);
            using (var cropped = new SKBitmap())
            {
                original.ExtractSubset(cropped, new SKRectI(x, y, x + cw, y + ch));
                Save(cropped, crop, SKEncodedImageFormat.Png, 100);
            }

            groups.Add([path, copy, half, jpeg, crop]);
        }

        return (groups, singletons);
    }

    /// <summary>A 96 px RGB image: a few random sinusoidal blobs of colour, as photos of different scenes differ.</summary>
    private static SKBitmap ColourField(Random rng)
    {
        const int side = 96;
        var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var waves = Enumerable.Range(0, 3).Select(_ => (fx: rng.NextDouble() * 0.08, fy: rng.NextDouble() * 0.08, phase: rng.NextDouble() * 6.3, amp: 40 + (rng.NextDouble() * 60))).ToArray();
        var tint = Enumerable.Range(0, 3).Select(_ => 60 + rng.Next(140)).ToArray();
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                byte V(int c) => (byte)Math.Clamp(tint[c] + (waves[c].amp * Math.Sin((waves[c].fx * x) + (waves[c].fy * y) + waves[c].phase)), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(V(0), V(1), V(2)));
            }
        }

        return bitmap;
    }

    private static SKBitmap Upscaled(ReadOnlySpan<byte> gray, int w, int h)
    {
        using var small = new SKBitmap(new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var v = gray[(y * w) + x];
                small.SetPixel(x, y, new SKColor(v, v, v));
            }
        }

        return small.Resize(new SKImageInfo(2 * w, 2 * h, SKColorType.Gray8, SKAlphaType.Opaque), new SKSamplingOptions(SKCubicResampler.Mitchell));
    }

    private static void Save(SKBitmap bitmap, string path, SKEncodedImageFormat format, int quality)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        File.WriteAllBytes(path, data.ToArray());
    }
}
