using SkiaSharp;

namespace MoCo.MLNet.Tests.Support;

/// <summary>Writes small test images (smooth colour fields plus noise, odd sizes) as PNG and JPEG files.</summary>
internal static class TestImages
{
    /// <summary>Writes <paramref name="count"/> images into <paramref name="folder"/>; returns their file names.</summary>
    public static string[] Write(string folder, int count, int seed, bool jpeg = false, bool gray = false)
    {
        var rng = new Random(seed);
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            int w = rng.Next(20, 90), h = rng.Next(20, 90);
            using var bitmap = new SKBitmap(w, h, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
            double fx = rng.NextDouble() * 0.3, fy = rng.NextDouble() * 0.3, phase = rng.NextDouble() * 6;
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    byte V(double shift) => (byte)Math.Clamp(128 + (90 * Math.Sin((fx * x) + (fy * y) + phase + shift)) + rng.Next(-30, 31), 0, 255);
                    bitmap.SetPixel(x, y, new SKColor(V(0), V(2), V(4)));
                }
            }

            names[i] = $"img{i:D3}.{(jpeg ? "jpg" : "png")}";
            using var image = SKImage.FromBitmap(bitmap);
            using var data = image.Encode(jpeg ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 90);
            File.WriteAllBytes(Path.Combine(folder, names[i]), data.ToArray());
        }

        return names;
    }
}
