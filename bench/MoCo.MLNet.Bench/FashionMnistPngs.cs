using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using SkiaSharp;

namespace MoCo.MLNet.Bench;

/// <summary>The 28-pixel case's data: Fashion-MNIST's test images written as 28×28 gray PNG files.</summary>
internal static class FashionMnistPngs
{
    /// <summary>Writes the first <paramref name="count"/> test images (cycling past 10,000) into <paramref name="folder"/>; returns how many.</summary>
    public static int Write(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var dataset = ImageDatasets.FashionMnist(train: false);
        var decode = new ImageDecodeOptions(Channels: 1);
        for (var i = 0; i < count; i++)
        {
            using var image = dataset.Load(i % dataset.Count, decode);
            using var bitmap = new SKBitmap(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque);
            System.Runtime.InteropServices.Marshal.Copy(image.Pixels.ToArray(), 0, bitmap.GetPixels(), image.Pixels.Length);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(folder, $"{i:D5}.png"), data.ToArray());
        }

        return count;
    }
}
