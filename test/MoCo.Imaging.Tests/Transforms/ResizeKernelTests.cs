using System.Numerics;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// The vectorised resampler (PillowResampler, reading the crop box in place) against the scalar loops it replaced
/// (ScalarReference.Resampler on a copied crop, Pillow's Resample.c one for one) at tolerance 0, over boxes and
/// output sizes that reach every path: down- and upscaling, one pass only (width or height unchanged), the
/// unchanged-size copy, rows narrower than a vector and widths that are not a multiple of it, 1-pixel images,
/// gray and RGB; and against Pillow 9.4 itself (torchvision's resized_crop) on a few odd sizes.
/// </summary>
public class ResizeKernelTests
{
    private static byte[] Crop(byte[] px, int stride, CropBox box, int channels)
    {
        var crop = new byte[box.Width * box.Height * channels];
        for (int y = 0; y < box.Height; y++)
        {
            px.AsSpan(((box.Top + y) * stride) + (box.Left * channels), box.Width * channels).CopyTo(crop.AsSpan(y * box.Width * channels));
        }

        return crop;
    }

    private static void AssertSameAsScalar(byte[] px, int width, int channels, CropBox box, int outWidth, int outHeight)
    {
        var expected = new byte[outWidth * outHeight * channels];
        ScalarReference.Resampler.ResizeBilinear(Crop(px, width * channels, box, channels), box.Width, box.Height, channels, expected, outWidth, outHeight);

        // One spare byte each side: the kernel must write exactly its output.
        var actual = new byte[expected.Length + 2];
        actual[0] = actual[^1] = 0xA5;
        PillowResampler.ResizeBilinear(px, width * channels, box, channels, actual.AsSpan(1, expected.Length), outWidth, outHeight);
        int at = actual.AsSpan(1, expected.Length).SequenceEqual(expected) ? -1 : FirstDifference(actual.AsSpan(1), expected);
        Assert.That(at, Is.EqualTo(-1), $"{box} of a {width}-wide x{channels} image -> {outWidth}x{outHeight}: first difference at byte {at}");
        Assert.That((actual[0], actual[^1]), Is.EqualTo(((byte)0xA5, (byte)0xA5)), "wrote outside the destination");
    }

    private static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (int i = 0; i < b.Length; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return -1;
    }

    private static byte[] RandomImage(Random rng, int width, int height, int channels)
    {
        var px = new byte[width * height * channels];
        rng.NextBytes(px);
        return px;
    }

    [Test]
    public void Coefficients_match_the_scalar_precomputation()
    {
        var sizes = new (int In, int Out)[] { (1, 1), (1, 7), (7, 1), (2, 3), (3, 2), (298, 224), (301, 224), (224, 298), (5000, 3), (3, 500), (581, 224), (100, 99) };
        foreach (var (inSize, outSize) in sizes)
        {
            var (bounds, weights, ksize) = ScalarReference.Resampler.Coefficients(inSize, outSize);
            Assert.That(PillowResampler.KernelSize(inSize, outSize), Is.EqualTo(ksize), $"{inSize} -> {outSize}");
            var b = new int[2 * outSize];
            var w = new int[outSize * ksize];
            PillowResampler.Coefficients(inSize, outSize, b, w, ksize);
            Assert.That(b, Is.EqualTo(bounds), $"{inSize} -> {outSize} bounds");
            Assert.That(w, Is.EqualTo(weights), $"{inSize} -> {outSize} weights");
        }
    }

    [Test]
    public void Matches_the_scalar_loops_on_random_boxes_and_sizes()
    {
        var rng = new Random(31);
        for (int t = 0; t < 400; t++)
        {
            int width = rng.Next(1, 120), height = rng.Next(1, 120), channels = rng.Next(2) == 0 ? 1 : 3;
            var px = RandomImage(rng, width, height, channels);
            int bw = rng.Next(1, width + 1), bh = rng.Next(1, height + 1);
            var box = new CropBox(rng.Next(0, height - bh + 1), rng.Next(0, width - bw + 1), bh, bw);
            int outWidth = rng.Next(4) switch { 0 => bw, 1 => rng.Next(1, 20), _ => rng.Next(1, 150) };
            int outHeight = rng.Next(4) switch { 0 => bh, 1 => rng.Next(1, 20), _ => rng.Next(1, 150) };
            AssertSameAsScalar(px, width, channels, box, outWidth, outHeight);
        }
    }

    [Test]
    public void Matches_the_scalar_loops_at_vector_width_boundaries_and_degenerate_sizes()
    {
        int v = Vector<byte>.Count;
        int[] sides = [1, 2, 3, (v / 3) - 1, v / 3, (v / 3) + 1, v - 1, v, v + 1, 2 * v, (2 * v) + 1];
        var rng = new Random(32);
        foreach (int channels in new[] { 1, 3 })
        {
            foreach (int bw in sides)
            {
                foreach (int bh in new[] { 1, 2, 9, v + 3 })
                {
                    var px = RandomImage(rng, bw + 3, bh + 2, channels);
                    var box = new CropBox(1, 2, bh, bw);
                    foreach (int outSide in sides)
                    {
                        AssertSameAsScalar(px, bw + 3, channels, box, outSide, bh);  // horizontal pass only
                        AssertSameAsScalar(px, bw + 3, channels, box, bw, outSide);  // vertical pass only
                        AssertSameAsScalar(px, bw + 3, channels, box, outSide, outSide);
                    }
                }
            }
        }
    }

    [Test]
    public void Matches_the_scalar_loops_for_moco_crops_of_a_photo_sized_image()
    {
        // The loader's case: boxes drawn by RandomResizedCrop from 500x375, to 224 (down and up), both channel counts.
        var rng = new Random(33);
        var crop = new RandomResizedCrop();
        foreach (int channels in new[] { 1, 3 })
        {
            var px = RandomImage(rng, 500, 375, channels);
            for (int t = 0; t < 12; t++)
            {
                AssertSameAsScalar(px, 500, channels, crop.Sample(500, 375, rng), 224, 224);
            }

            AssertSameAsScalar(px, 500, channels, new CropBox(0, 0, 375, 500), 224, 224);
            AssertSameAsScalar(px, 500, channels, new CropBox(100, 200, 150, 120), 224, 224);
            AssertSameAsScalar(px, 500, channels, new CropBox(0, 0, 375, 500), 500, 375);
        }
    }

    [Test]
    public void Resized_crop_matches_pillow_on_odd_sizes()
    {
        var tv = new TorchvisionReference();
        var rng = new Random(34);
        var images = new (string Name, int Width, int Height, int Channels)[]
        {
            ("one.ppm", 1, 1, 3), ("col.pgm", 1, 40, 1), ("row.ppm", 37, 1, 3), ("odd.ppm", 33, 17, 3), ("odd.pgm", 65, 9, 1), ("photo.ppm", 500, 375, 3),
        };
        var jobs = new List<(string Job, int Image, CropBox Box, int Size)>();
        var pixels = new byte[images.Length][];
        for (int n = 0; n < images.Length; n++)
        {
            var (name, width, height, channels) = images[n];
            using var image = new DecodedImage(width, height, channels);
            rng.NextBytes(image.Pixels);
            pixels[n] = image.Pixels.ToArray();
            tv.WritePpm(name, image);
            var boxes = new[] { new CropBox(0, 0, height, width), new CropBox(height / 3, width / 4, Math.Max(1, height / 2), Math.Max(1, width / 2)) };
            foreach (var box in boxes)
            {
                foreach (int size in new[] { 1, 3, box.Width, box.Height, 224 })
                {
                    string job = $"or{jobs.Count}";
                    tv.Add($"rrc {job} {name} {box.Top} {box.Left} {box.Height} {box.Width} {size} 0");
                    jobs.Add((job, n, box, size));
                }
            }
        }

        tv.Run();
        foreach (var (job, n, box, size) in jobs)
        {
            using var image = new DecodedImage(images[n].Width, images[n].Height, images[n].Channels);
            pixels[n].CopyTo(image.Pixels);
            using var view = ImageOps.ResizedCrop(image, box, size, size);
            var expected = tv.Bytes(job);
            Assert.That((expected.Width, expected.Height, expected.Channels), Is.EqualTo((size, size, images[n].Channels)), job);
            Assert.That(TorchvisionReference.MaxAbsDiff(view.Pixels, expected.Pixels), Is.Zero, $"{job}: {images[n].Name} {box} -> {size}");
        }
    }
}
