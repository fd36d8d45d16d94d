using MoCo.Imaging;
using MoCo.Imaging.Transforms;
using MoCo.Search.Dedup;

namespace MoCo.Search.Tests.Dedup;

// Reference: the crop boxes themselves. Parts are cut from a textured image at known boxes (some then resized, some
// square out of a wide image); the located window must be that box within a pixel or two of the whole image's side
// at the fine stage's resolution. Another texture, a flat part and a part that is not in the image must not be found.
public class CropRegistrationTests
{
    private static DecodedImage Texture(int width, int height, int channels, int seed)
    {
        var rng = new Random(seed);
        var waves = Enumerable.Range(0, 6).Select(_ => (fx: 0.02 + (rng.NextDouble() * 0.2), fy: 0.02 + (rng.NextDouble() * 0.2), phase: rng.NextDouble() * 6.3)).ToArray();
        var image = new DecodedImage(width, height, channels);
        var pixels = image.Pixels;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    var v = waves.Sum(w => Math.Sin((w.fx * x * (c + 1)) + (w.fy * y) + w.phase));
                    pixels[(((y * width) + x) * channels) + c] = (byte)Math.Clamp(128 + (20 * v), 0, 255);
                }
            }
        }

        return image;
    }

    [TestCase(96, 96, 1, 5, 7, 80, 80, 80, 80)]      // a plain 83% crop off the corners' grid
    [TestCase(96, 96, 3, 0, 0, 86, 86, 86, 86)]      // a 90% corner crop
    [TestCase(120, 90, 3, 10, 20, 60, 60, 60, 60)]   // a square crop of a wide image (2/3 of its height)
    [TestCase(96, 96, 3, 12, 4, 72, 72, 36, 36)]     // a 75% crop, then resized to half
    [TestCase(200, 150, 3, 31, 17, 150, 120, 75, 60)] // a crop of a larger image resized to half
    [TestCase(400, 300, 3, 43, 26, 301, 226, 301, 226)] // a photo-sized image: refined on 64, 128 and 256 px copies
    [TestCase(64, 48, 1, 3, 2, 56, 42, 56, 42)]       // a 64-px image: refined on its own size only
    public void A_crop_is_found_where_it_was_cut(int width, int height, int channels, int left, int top, int boxWidth, int boxHeight, int partWidth, int partHeight)
    {
        using var whole = Texture(width, height, channels, seed: 3);
        using var part = ImageOps.ResizedCrop(whole, new CropBox(top, left, boxHeight, boxWidth), partWidth, partHeight);
        var box = CropRegistration.Locate(whole, part, out var correlation);
        Assert.That(box, Is.Not.Null, $"correlation {correlation}");
        // The last stage works at full size up to 256 px: a pixel either way, or a pixel of a 256-px copy beyond.
        var tolerance = Math.Max(1.0, Math.Max(width, height) / 256.0) + (Math.Max(width, height) > 256 ? 1 : 0);
        Assert.That(box!.Value.Left, Is.EqualTo(left).Within(tolerance));
        Assert.That(box.Value.Top, Is.EqualTo(top).Within(tolerance));
        Assert.That(box.Value.Width, Is.EqualTo(boxWidth).Within(tolerance));
        Assert.That(box.Value.Height, Is.EqualTo(boxHeight).Within(tolerance));
        Assert.That(correlation, Is.GreaterThan(0.97));
    }

    [Test]
    public void Another_image_a_flat_part_and_a_part_from_elsewhere_are_not_found()
    {
        using var whole = Texture(96, 96, 3, seed: 3);
        using var other = Texture(96, 96, 3, seed: 4);
        using var otherCrop = ImageOps.ResizedCrop(other, new CropBox(5, 5, 80, 80), 80, 80);
        Assert.That(CropRegistration.Locate(whole, otherCrop, out var correlation), Is.Null, $"correlation {correlation}");
        using var flat = new DecodedImage(40, 40, 3);
        flat.Pixels.Fill(90);
        Assert.That(CropRegistration.Locate(whole, flat), Is.Null);
        // The whole image inside its own crop: larger than the window can be.
        using var crop = ImageOps.ResizedCrop(whole, new CropBox(0, 0, 60, 60), 60, 60);
        Assert.That(CropRegistration.Locate(crop, whole, out var inverted), Is.Null, $"correlation {inverted}");
    }
}
