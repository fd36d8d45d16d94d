using System.Diagnostics;
using System.Globalization;
using MoCo.Imaging;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Bench;

/// <summary>
/// `kernels` mode: milliseconds per call of the two geometric/filter kernels of a MoCo v2 view, on one thread:
/// the resized crop of a ~300x300 box of a 500x375 RGB image to 224x224 (RandomResizedCrop's resize), and
/// the Gaussian blur with sigma 1.2 of a 224x224 RGB view. Best of several repetitions, since the 2-core
/// development machine is shared.
/// </summary>
internal static class Kernels
{
    internal static void Run(int repetitions)
    {
        using var photo = Synthetic(500, 375);
        using var view = Synthetic(224, 224);
        var box = new CropBox(40, 90, 301, 298);
        double crop = Best(repetitions, 400, () => ImageOps.ResizedCrop(photo, box, 224, 224).Dispose());
        double blur = Best(repetitions, 400, () => GaussianBlur.Apply(view, 1.2f));

        // The loader blurs planar views: three 224x224 gray planes.
        using var plane = Synthetic(224, 224, channels: 1);
        double planes = Best(repetitions, 400, () =>
        {
            for (int ch = 0; ch < 3; ch++)
            {
                GaussianBlur.Apply(plane, 1.2f);
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resized crop 500x375 box {box.Width}x{box.Height} -> 224x224 RGB: {crop:F3} ms/call"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gaussian blur sigma 1.2, 224x224 RGB:            {blur:F3} ms/call"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gaussian blur sigma 1.2, 3 x 224x224 gray planes: {planes:F3} ms/call"));
    }

    /// <summary>A photo-like image: gradients plus noise (as baseline.py's make-jpegs); gray keeps the first channel.</summary>
    private static DecodedImage Synthetic(int width, int height, int channels = 3)
    {
        var image = new DecodedImage(width, height, channels);
        var rng = new Random(0);
        Span<byte> px = image.Pixels;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * channels;
                px[i] = (byte)Math.Min(255, (x % 256) + rng.Next(40));
                if (channels == 3)
                {
                    px[i + 1] = (byte)Math.Min(255, ((y * 2) % 256) + rng.Next(40));
                    px[i + 2] = (byte)Math.Min(255, ((x + y) % 256) + rng.Next(40));
                }
            }
        }

        return image;
    }

    private static double Best(int repetitions, int calls, Action action)
    {
        for (int i = 0; i < calls; i++)
        {
            action(); // warm-up: tiered JIT, pools
        }

        double best = double.MaxValue;
        for (int r = 0; r < repetitions; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / calls);
        }

        return best;
    }
}
