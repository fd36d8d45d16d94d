using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// ColorJitter (all four factors, shuffled order), RandomGrayscale and the MoCo v2 Gaussian blur
/// against torchvision 0.14's PIL path / Pillow 9.4 on the same images with the same sampled
/// parameters. Tolerance: uint8 exact (tighter than the 2/255: the arithmetic mirrors
/// Pillow's, and a float-vs-double slip in HSV once showed up as 7 levels after contrast).
/// </summary>
public class ColorTransformsTests
{
    private const int Tolerance = 0;
    private static readonly string[] Sources = ["rgb.png", "gray.png", "big.ppm"];

    private static DecodedImage Load(TorchvisionReference tv, string src) => src == "big.ppm"
        ? ImageDecoder.Decode(Path.Combine(Fixtures.PythonFixtures.Make("make_decoding_fixtures.py"), "big.jpg"))
        : ImageDecoder.Decode(Path.Combine(tv.Dir, src));

    private static void Check(TorchvisionReference tv, string name, DecodedImage actual, string what)
    {
        var expected = tv.Bytes(name);
        Assert.That((actual.Width, actual.Height, actual.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), what);
        Assert.That(TorchvisionReference.MaxAbsDiff(actual.Pixels, expected.Pixels), Is.LessThanOrEqualTo(Tolerance), what);
    }

    [Test]
    public void Color_jitter_matches_torchvision_with_the_same_factors_and_order()
    {
        var tv = new TorchvisionReference();
        var rng = new Random(11);
        var jobs = new List<(string Name, string Src, ColorJitterParams P)>();
        var jitters = new[] { new ColorJitter(), new ColorJitter(0.4f, 0.4f, 0.4f, 0.1f), new ColorJitter(0.9f, 0.9f, 0.9f, 0.5f) };
        foreach (var src in Sources)
        {
            for (int k = 0; k < 8; k++)
            {
                var p = jitters[k % jitters.Length].Sample(rng);
                string name = $"j{jobs.Count}";
                jobs.Add((name, src, p));
                tv.Add($"jitter {name} {src} {string.Concat(p.Order)} {p.Brightness:R} {p.Contrast:R} {p.Saturation:R} {p.Hue:R}");
            }
        }

        tv.Run();
        foreach (var (name, src, p) in jobs)
        {
            using var image = Load(tv, src);
            ColorJitter.Apply(image, p);
            Check(tv, name, image, $"{name} {src} {p} order {string.Concat(p.Order)}");
        }
    }

    [Test]
    public void Gaussian_blur_matches_pillow_for_sigmas_from_0_1_to_2()
    {
        var tv = new TorchvisionReference();
        float[] sigmas = [0.1f, 0.37f, 0.8f, 1.0f, 1.55f, 2.0f, 6.5f];
        int n = 0;
        foreach (var src in Sources)
        {
            foreach (var s in sigmas)
            {
                tv.Add($"blur b{n++} {src} {s:R}");
            }
        }

        tv.Run();
        n = 0;
        foreach (var src in Sources)
        {
            foreach (var s in sigmas)
            {
                using var image = Load(tv, src);
                GaussianBlur.Apply(image, s);
                Check(tv, $"b{n++}", image, $"{src} sigma {s}");
            }
        }
    }

    [Test]
    public void Random_grayscale_matches_torchvision_to_grayscale_3()
    {
        var tv = new TorchvisionReference();
        tv.Add($"gray g0 rgb.png");
        tv.Run();
        using var image = Load(tv, "rgb.png");
        ImageOps.GrayscaleInPlace(image);
        Check(tv, "g0", image, "grayscale");
    }

    [Test]
    public void Jitter_sampling_follows_the_ranges_and_is_deterministic()
    {
        var jitter = new ColorJitter(0.4f, 0.4f, 0.4f, 0.1f);
        var a = jitter.Sample(new Random(5));
        var b = jitter.Sample(new Random(5));
        Assert.That((a.Brightness, a.Contrast, a.Saturation, a.Hue, string.Concat(a.Order)), Is.EqualTo((b.Brightness, b.Contrast, b.Saturation, b.Hue, string.Concat(b.Order))));
        var rng = new Random(6);
        for (int i = 0; i < 1000; i++)
        {
            var p = jitter.Sample(rng);
            Assert.That(p.Order.Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }));
            Assert.That(new[] { p.Brightness, p.Contrast, p.Saturation }, Is.All.InRange(0.6f, 1.4f));
            Assert.That(p.Hue, Is.InRange(-0.1f, 0.1f));
        }
    }
}
