using System.Numerics;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// The vectorised blur (PillowGaussianBlur) against the scalar loops it replaced (ScalarReference.Blur, Pillow's
/// BoxBlur.c one for one) at tolerance 0, over sizes that reach every path: rows narrower than a vector, widths
/// that are not a multiple of the vector width, images smaller than the box (edgeA &gt; edgeB, radius &gt;= n), wide
/// boxes (the transposed path), gray and RGB; and against Pillow 9.4 itself on a few odd sizes.
/// </summary>
public class GaussianBlurKernelTests
{
    // Box radius (BoxRadius) 0.0017 .. 0.46 (sigma 0.1 .. 1.2), 1.15 and 1.375 (1.7, 2.0: the widest direct
    // horizontal pass), 2.03 (2.5: the first transposed one, fractional part almost 0), 2.42, 6.0, 9.5, and far
    // wider than the images below (40, 300).
    private static readonly float[] Sigmas = [0.1f, 0.5f, 1.2f, 1.7f, 2.0f, 2.5f, 3.0f, 6.5f, 10f, 40f, 300f];

    private static byte[] RandomPixels(Random rng, int length)
    {
        var px = new byte[length];
        rng.NextBytes(px);
        return px;
    }

    private static void AssertSameAsScalar(byte[] px, int width, int height, int channels, float sigma)
    {
        var expected = (byte[])px.Clone();
        ScalarReference.Blur.Apply(expected, width, height, channels, sigma);
        var actual = (byte[])px.Clone();
        PillowGaussianBlur.Apply(actual, width, height, channels, sigma);
        int at = FirstDifference(actual, expected);
        Assert.That(at, Is.EqualTo(-1), $"{width}x{height}x{channels} sigma {sigma}: first difference at byte {at} (pixel {at / channels % Math.Max(width, 1)}, row {at / channels / Math.Max(width, 1)})");
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return -1;
    }

    [Test]
    public void Box_radii_of_the_sigmas_used_here_reach_every_path()
    {
        // The path choice depends on the integer radius; pin it so the sigma list keeps covering both paths.
        var radii = Sigmas.Select(s => (int)PillowGaussianBlur.BoxRadius(s)).ToArray();
        Assert.That(radii, Does.Contain(0).And.Contain(PillowGaussianBlur.MaxDirectRadius).And.Contain(PillowGaussianBlur.MaxDirectRadius + 1));
        Assert.That(radii.Max(), Is.GreaterThan(100));
    }

    [Test]
    public void Matches_the_scalar_loops_on_random_sizes()
    {
        var rng = new Random(12);
        for (int t = 0; t < 400; t++)
        {
            int width = rng.Next(1, 90), height = rng.Next(1, 90), channels = rng.Next(2) == 0 ? 1 : 3;
            float sigma = rng.Next(3) == 0 ? Sigmas[rng.Next(Sigmas.Length)] : (float)(0.05 + (rng.NextDouble() * (rng.Next(2) == 0 ? 2.5 : 12)));
            AssertSameAsScalar(RandomPixels(rng, width * height * channels), width, height, channels, sigma);
        }
    }

    [Test]
    public void Matches_the_scalar_loops_at_vector_width_boundaries_and_degenerate_sizes()
    {
        int v = Vector<byte>.Count;
        int[] sides = [1, 2, 3, 4, v / 3, (v / 3) + 1, v - 1, v, v + 1, (2 * v) - 1, (2 * v) + 1, 224];
        var rng = new Random(13);
        foreach (int channels in new[] { 1, 3 })
        {
            foreach (int width in sides)
            {
                foreach (int height in new[] { 1, 2, 5, 31 })
                {
                    foreach (float sigma in Sigmas)
                    {
                        AssertSameAsScalar(RandomPixels(rng, width * height * channels), width, height, channels, sigma);
                        AssertSameAsScalar(RandomPixels(rng, width * height * channels), height, width, channels, sigma);
                    }
                }
            }
        }
    }

    [Test]
    public void Saturated_and_flat_images_stay_exact()
    {
        // All-255 input is where the UINT32 sums come closest to 2^32 (255 * 2^24 + 2^23) and must neither wrap nor lose the top bit.
        foreach (byte value in new byte[] { 0, 1, 128, 254, 255 })
        {
            foreach (float sigma in Sigmas)
            {
                var px = Enumerable.Repeat(value, 70 * 40 * 3).ToArray();
                AssertSameAsScalar(px, 70, 40, 3, sigma);
                PillowGaussianBlur.Apply(px, 70, 40, 3, sigma);
                Assert.That(px, Is.All.EqualTo(value), $"flat {value} sigma {sigma}");
            }
        }
    }

    [Test]
    public void Matches_pillow_on_odd_sizes()
    {
        var tv = new TorchvisionReference();
        var rng = new Random(14);
        var images = new (string Name, int Width, int Height, int Channels)[]
        {
            ("one.ppm", 1, 1, 3), ("col.ppm", 1, 37, 3), ("row.pgm", 41, 1, 1), ("odd.ppm", 33, 17, 3),
            ("odd.pgm", 65, 9, 1), ("tall.ppm", 5, 70, 3), ("v.ppm", 224, 224, 3),
        };
        float[] sigmas = [0.1f, 1.2f, 2.0f, 12f];
        var jobs = new List<(string Job, string Image, float Sigma, byte[] Pixels, int Width, int Height, int Channels)>();
        foreach (var (name, width, height, channels) in images)
        {
            using var image = new DecodedImage(width, height, channels);
            rng.NextBytes(image.Pixels);
            tv.WritePpm(name, image);
            foreach (float sigma in sigmas)
            {
                string job = $"ob{jobs.Count}";
                tv.Add($"blur {job} {name} {sigma:R}");
                jobs.Add((job, name, sigma, image.Pixels.ToArray(), width, height, channels));
            }
        }

        tv.Run();
        foreach (var (job, name, sigma, pixels, width, height, channels) in jobs)
        {
            using var image = new DecodedImage(width, height, channels);
            pixels.CopyTo(image.Pixels);
            GaussianBlur.Apply(image, sigma);
            var expected = tv.Bytes(job);
            Assert.That((expected.Width, expected.Height, expected.Channels), Is.EqualTo((width, height, channels)), job);
            Assert.That(TorchvisionReference.MaxAbsDiff(image.Pixels, expected.Pixels), Is.Zero, $"{job}: {name} sigma {sigma}");
        }
    }
}
