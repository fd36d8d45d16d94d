using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// Whole MoCo v1/v2 views against torchvision 0.14 + PIL composing the same steps in main_moco.py's
/// order with the same sampled parameters (uint8 exact; the issue allows 2), and the recipe's
/// probabilities against their definition (binomial, 5 sigma).
/// </summary>
public class MoCoAugmentationTests
{
    [Test]
    public void V1_and_v2_views_match_torchvision_with_the_same_parameters()
    {
        var tv = new TorchvisionReference();
        var rng = new Random(21);
        var jobs = new List<(string Name, string Src, MoCoAugmentation Aug, ViewParams P)>();
        foreach (var (aug, tag) in new[] { (MoCoAugmentation.V1(64), "v1"), (MoCoAugmentation.V2(64), "v2") })
        {
            foreach (var src in new[] { "rgb.png", "gray.png" })
            {
                for (int k = 0; k < 6; k++)
                {
                    var p = aug.Sample(67, 45, rng);
                    string name = $"{tag}_{jobs.Count}";
                    jobs.Add((name, src, aug, p));
                    string jitter = p.Jitter is { } j ? FormattableString.Invariant($"{string.Concat(j.Order)} {j.Brightness:R} {j.Contrast:R} {j.Saturation:R} {j.Hue:R}") : "- 1 1 1 0";
                    string sigma = p.BlurSigma is { } s ? s.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "-";
                    int gb = p.Grayscale && aug.GrayscaleBeforeJitter ? 1 : 0, ga = p.Grayscale && !aug.GrayscaleBeforeJitter ? 1 : 0;
                    tv.Add($"view {name} {src} {p.Crop.Top} {p.Crop.Left} {p.Crop.Height} {p.Crop.Width} 64 {gb} {jitter} {ga} {sigma} {(p.Flip ? 1 : 0)}");
                }
            }
        }

        tv.Run();
        foreach (var (name, src, aug, p) in jobs)
        {
            using var image = ImageDecoder.Decode(Path.Combine(tv.Dir, src));
            using var view = aug.ApplyBytes(image, p);
            var expected = tv.Bytes(name);
            Assert.That((view.Width, view.Height, view.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), name);
            Assert.That(TorchvisionReference.MaxAbsDiff(view.Pixels, expected.Pixels), Is.Zero, $"{name} {src} {p}");
        }
    }

    [Test]
    public void V2_probabilities_match_the_recipe()
    {
        var aug = MoCoAugmentation.V2();
        var rng = new Random(1);
        const int n = 20000;
        int jitter = 0, gray = 0, blur = 0, flip = 0;
        for (int i = 0; i < n; i++)
        {
            var p = aug.Sample(500, 375, rng);
            jitter += p.Jitter is null ? 0 : 1;
            gray += p.Grayscale ? 1 : 0;
            blur += p.BlurSigma is null ? 0 : 1;
            flip += p.Flip ? 1 : 0;
            if (p.BlurSigma is { } s)
            {
                Assert.That(s, Is.InRange(0.1f, 2.0f));
            }
        }

        static double Tol(double q) => 5 * Math.Sqrt(q * (1 - q) / n);
        Assert.Multiple(() =>
        {
            Assert.That((double)jitter / n, Is.EqualTo(0.8).Within(Tol(0.8)));
            Assert.That((double)gray / n, Is.EqualTo(0.2).Within(Tol(0.2)));
            Assert.That((double)blur / n, Is.EqualTo(0.5).Within(Tol(0.5)));
            Assert.That((double)flip / n, Is.EqualTo(0.5).Within(Tol(0.5)));
        });
    }

    [Test]
    public void Normalized_view_is_the_bytes_over_255_minus_mean_over_std()
    {
        var aug = MoCoAugmentation.V1(16);
        var bytes = Enumerable.Range(0, 40 * 30 * 3).Select(i => (byte)(i * 31)).ToArray();
        using var image = new DecodedImage(40, 30, 3);
        bytes.CopyTo(image.Pixels);
        var p = aug.Sample(40, 30, new Random(4));
        using var view = aug.ApplyBytes(image, p);
        var chw = new float[3 * 16 * 16];
        aug.Apply(image, p, chw);
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 256; i++)
            {
                float expected = ((view.Pixels[(i * 3) + c] / 255f) - aug.Mean[c]) / aug.Std[c];
                Assert.That(chw[(c * 256) + i], Is.EqualTo(expected).Within(1e-6f));
            }
        }
    }
}
