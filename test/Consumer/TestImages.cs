using SkiaSharp;

namespace Consumer;

/// <summary>Two classes of small RGB pictures, each written as PNG (lossless) and JPEG (quality 90) through SkiaSharp,
/// the image library the MoCo.MLNet package brings along.</summary>
internal static class TestImages
{
    public const int PerClass = 8;

    public static void Write(string folder)
    {
        foreach (var (label, vertical) in new[] { ("a", false), ("b", true) })
        {
            Directory.CreateDirectory(Path.Combine(folder, label));
            for (var i = 0; i < PerClass; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(48 + (4 * i), 40, SKColorType.Rgba8888, SKAlphaType.Opaque));
                for (var y = 0; y < bitmap.Height; y++)
                {
                    for (var x = 0; x < bitmap.Width; x++)
                    {
                        // Class a: horizontal stripes on a warm gradient; class b: vertical stripes on a cool one.
                        var stripe = ((vertical ? x : y) / (2 + (i % 3))) % 2 == 0;
                        var r = (byte)((vertical ? 40 : 160) + (x * 2) + (stripe ? 50 : 0));
                        var g = (byte)(60 + (y * 3) + (11 * i));
                        var b = (byte)((vertical ? 170 : 30) + ((x + y) % 40) + (stripe ? 0 : 30));
                        bitmap.SetPixel(x, y, new SKColor(r, g, b));
                    }
                }

                Save(bitmap, SKEncodedImageFormat.Png, 100, Path.Combine(folder, label, $"{i}.png"));
                Save(bitmap, SKEncodedImageFormat.Jpeg, 90, Path.Combine(folder, label, $"{i}.jpg"));
            }
        }
    }

    public static IReadOnlyList<string> Files(string folder, string extension) =>
        Directory.EnumerateFiles(folder, "*" + extension, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    public static string LabelOf(string path) => Path.GetFileName(Path.GetDirectoryName(path))!;

    private static void Save(SKBitmap bitmap, SKEncodedImageFormat format, int quality, string path)
    {
        using var data = bitmap.Encode(format, quality);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
