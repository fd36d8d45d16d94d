using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// The vectorised colour kernels. Reference 1: Pillow 9.4 / torchvision 0.14 on an image holding every one of
/// the 2^24 RGB colours once (4096 x 4096), so no input the kernels can meet is left untried; uint8 exact.
/// Reference 2: the scalar formulas (the path tails and machines without vectors take) on every tail length.
/// </summary>
public class ColorKernelsTests
{
    private static DecodedImage AllColours()
    {
        var image = new DecodedImage(4096, 4096, 3);
        Span<byte> px = image.Pixels;
        for (int c = 0; c < 1 << 24; c++)
        {
            px[3 * c] = (byte)(c >> 16);
            px[(3 * c) + 1] = (byte)(c >> 8);
            px[(3 * c) + 2] = (byte)c;
        }

        return image;
    }

    [Test]
    public void Hue_saturation_brightness_and_contrast_match_torchvision_on_all_2_pow_24_colours()
    {
        var tv = new TorchvisionReference();
        using (var all = AllColours())
        {
            tv.WritePpm("all.ppm", all);
        }

        // Order digit 3 = hue, 2 = saturation, 0 = brightness, 1 = contrast (ColorJitter.forward's ids).
        var jobs = new (string Name, ColorJitterParams P)[]
        {
            ("hue_pos", new([3], 1, 1, 1, 0.0731f)),
            ("hue_neg", new([3], 1, 1, 1, -0.4987f)),
            ("hue_zero", new([3], 1, 1, 1, 0f)),
            ("sat_down", new([2], 1, 1, 0.6314f, 0)),
            ("sat_up", new([2], 1, 1, 1.3779f, 0)),
            ("bright_contrast", new([0, 1], 1.2917f, 0.7113f, 1, 0)),
        };
        foreach (var (name, p) in jobs)
        {
            tv.Add($"jitter {name} all.ppm {string.Concat(p.Order)} {p.Brightness:R} {p.Contrast:R} {p.Saturation:R} {p.Hue:R}");
        }

        tv.Run();
        foreach (var (name, p) in jobs)
        {
            using var image = AllColours();
            ColorJitter.Apply(image, p);
            var expected = tv.Bytes(name);
            int mismatches = 0, first = -1;
            for (int i = 0; i < expected.Pixels.Length; i++)
            {
                if (image.Pixels[i] != expected.Pixels[i])
                {
                    mismatches++;
                    first = first < 0 ? i : first;
                }
            }

            Assert.That(mismatches, Is.Zero, $"{name}: {mismatches} bytes differ, first at colour {(first < 0 ? 0 : first / 3):X6}");
        }
    }

    [Test]
    public void Vector_and_scalar_hue_agree_on_every_tail_length()
    {
        var rng = new Random(3);
        for (int n = 0; n <= 50; n++)
        {
            byte[] r = new byte[n], g = new byte[n], b = new byte[n];
            rng.NextBytes(r);
            rng.NextBytes(g);
            rng.NextBytes(b);
            byte shift = (byte)rng.Next(256);
            var expected = new byte[3 * n];
            for (int i = 0; i < n; i++)
            {
                PillowHue.RgbToHsv(r[i], g[i], b[i], out byte h, out byte s, out byte v);
                PillowHue.HsvToRgb(unchecked((byte)(h + shift)), s, v, expected.AsSpan(3 * i, 3));
            }

            PillowHue.Apply(r, g, b, shift);
            var actual = new byte[3 * n];
            PlanarImage.Interleave3(r, g, b, actual);
            Assert.That(actual, Is.EqualTo(expected), $"length {n}, shift {shift}");
        }
    }

    [Test]
    public void Vector_and_scalar_saturation_and_grayscale_agree_on_every_tail_length()
    {
        var rng = new Random(4);
        for (int n = 1; n <= 50; n++)
        {
            using var image = new DecodedImage(n, 1, 3);
            rng.NextBytes(image.Pixels);
            byte[] original = image.Pixels.ToArray();
            float factor = 0.5f + (float)rng.NextDouble();
            using var planes = PlanarImage.From(image);
            PillowColor.Saturation(planes, factor);
            PillowColor.Grayscale(planes);
            planes.CopyTo(image);
            for (int i = 0; i < n; i++)
            {
                int l = PillowColor.Luma(original[3 * i], original[(3 * i) + 1], original[(3 * i) + 2]);
                int sr = PillowColor.Blend(l, original[3 * i], factor), sg = PillowColor.Blend(l, original[(3 * i) + 1], factor), sb = PillowColor.Blend(l, original[(3 * i) + 2], factor);
                byte gray = (byte)PillowColor.Luma(sr, sg, sb);
                Assert.That(image.Pixels.Slice(3 * i, 3).ToArray(), Is.EqualTo(new[] { gray, gray, gray }), $"length {n}, pixel {i}");
            }
        }
    }

    [Test]
    public void Contrast_on_a_large_white_image_keeps_it_white()
    {
        // 4096 x 4096 white: the lane sums (emptied into a long every 64K steps) give mean 255, which leaves white white.
        using var white = new DecodedImage(4096, 4096, 3);
        white.Pixels.Fill(255);
        ColorJitter.Apply(white, new ColorJitterParams([1], 1, 0.5f, 1, 0));
        Assert.That(white.Pixels.ToArray().Distinct(), Is.EqualTo(new byte[] { 255 }));
    }

    [Test]
    public void Normalisation_equals_the_scalar_formula_for_every_value_and_tail()
    {
        for (int n = 1; n <= 300; n += 37)
        {
            var plane = Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();
            var actual = new float[n];
            Normalization.ToUnitThenStandardize(plane, 0.456f, 0.224f, actual);
            var expected = plane.Select(v => ((v / 255f) - 0.456f) / 0.224f).ToArray();
            Assert.That(actual, Is.EqualTo(expected), $"length {n}");
        }
    }

    [Test]
    public void Planar_flip_mirrors_each_row()
    {
        using var image = new DecodedImage(5, 2, 3);
        for (int i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (byte)i;
        }

        using var planes = PlanarImage.From(image);
        planes.FlipHorizontal();
        using var flipped = new DecodedImage(5, 2, 3);
        planes.CopyTo(flipped);
        Assert.That(flipped.Pixels[..3].ToArray(), Is.EqualTo(new byte[] { 12, 13, 14 }), "first pixel of row 0 is the last one");
        Assert.That(flipped.Pixels.Slice(15, 3).ToArray(), Is.EqualTo(new byte[] { 27, 28, 29 }), "first pixel of row 1 is the last one");
        ImageOps.FlipHorizontalInPlace(flipped);
        Assert.That(flipped.Pixels.ToArray(), Is.EqualTo(image.Pixels.ToArray()));
    }
}
