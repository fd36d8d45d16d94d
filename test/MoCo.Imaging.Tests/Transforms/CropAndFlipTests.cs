using MoCo.Imaging.Tests.Fixtures;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// The fine-tuning view (random resized crop + flip) against torchvision 0.14 + PIL's F.resized_crop and F.hflip with the
/// same sampled parameters (uint8 exact), its draws against the sequence it documents (the crop sampler's, then one
/// coin), and its pixels against MoCoAugmentation's with the colour and blur steps off.
/// </summary>
public class CropAndFlipTests
{
    private static readonly CropAndFlip Transform = new() { Crop = new RandomResizedCrop(40, 0.2) };

    [Test]
    public void Views_match_torchvision_resized_crop_and_flip_with_the_same_parameters()
    {
        var tv = new TorchvisionReference();
        string big = Path.Combine(PythonFixtures.Make("make_decoding_fixtures.py"), "big.jpg");
        var rng = new Random(5);
        var jobs = new List<(string Name, string Src, ViewParams P)>();
        foreach (var (src, python) in new[] { ("rgb.png", "rgb.png"), ("gray.png", "gray.png"), (big, "big.ppm") })
        {
            using var image = ImageDecoder.Decode(Path.Combine(tv.Dir, src));
            for (int k = 0; k < 6; k++)
            {
                var p = Transform.Sample(image.Width, image.Height, rng);
                string name = $"cf_{jobs.Count}";
                jobs.Add((name, src, p));
                tv.Add($"rrc {name} {python} {p.Crop.Top} {p.Crop.Left} {p.Crop.Height} {p.Crop.Width} 40 {(p.Flip ? 1 : 0)}");
            }
        }

        Assert.That(jobs.Select(j => j.P.Flip).Distinct().Count(), Is.EqualTo(2), "both flipped and unflipped views are checked");
        tv.Run();
        foreach (var (name, src, p) in jobs)
        {
            using var image = ImageDecoder.Decode(Path.Combine(tv.Dir, src));
            using var view = Transform.ApplyBytes(image, p);
            var expected = tv.Bytes(name);
            Assert.That((view.Width, view.Height, view.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), name);
            Assert.That(TorchvisionReference.MaxAbsDiff(view.Pixels, expected.Pixels), Is.Zero, $"{name} {Path.GetFileName(src)} {p}");
        }
    }

    [Test]
    public void Sample_draws_the_crop_then_one_coin_for_the_flip()
    {
        var (rng, twin) = (new Random(17), new Random(17));
        for (int i = 0; i < 200; i++)
        {
            var p = Transform.Sample(67, 45, rng);
            var crop = Transform.Crop.Sample(67, 45, twin);
            bool flip = twin.NextDouble() < 0.5;
            Assert.That((p.Crop, p.Flip), Is.EqualTo((crop, flip)), $"draw {i}");
            Assert.That((p.Jitter, p.Grayscale, p.BlurSigma), Is.EqualTo(((ColorJitterParams?)null, false, (float?)null)));
        }

        Assert.That(rng.Next(), Is.EqualTo(twin.Next()), "no draw beyond those two steps");
    }

    [Test]
    public void The_flip_probability_is_the_recipe_s()
    {
        const int n = 20000;
        var rng = new Random(2);
        int flips = Enumerable.Range(0, n).Count(_ => Transform.Sample(500, 375, rng).Flip);
        Assert.That((double)flips / n, Is.EqualTo(0.5).Within(5 * Math.Sqrt(0.25 / n)));
        Assert.That(Enumerable.Range(0, 100).Any(_ => (Transform with { FlipProbability = 0 }).Sample(50, 40, rng).Flip), Is.False);
        Assert.That(Enumerable.Range(0, 100).All(_ => (Transform with { FlipProbability = 1 }).Sample(50, 40, rng).Flip), Is.True);
    }

    [Test]
    public void The_normalised_view_is_moco_augmentation_s_with_colour_and_blur_off()
    {
        var bytes = Enumerable.Range(0, 53 * 38 * 3).Select(i => (byte)((i * 37) ^ (i >> 5))).ToArray();
        using var image = new DecodedImage(53, 38, 3);
        bytes.CopyTo(image.Pixels);
        var mean = new[] { 0.4f, 0.5f, 0.6f };
        var std = new[] { 0.2f, 0.25f, 0.3f };
        var transform = Transform with { Mean = mean, Std = std };
        var steps = new MoCoAugmentation { Crop = transform.Crop, JitterProbability = 0, GrayscaleProbability = 0, BlurProbability = 0, Mean = mean, Std = std };
        var rng = new Random(8);
        for (int k = 0; k < 8; k++)
        {
            var p = transform.Sample(53, 38, rng);
            var (mine, theirs) = (new float[3 * 40 * 40], new float[3 * 40 * 40]);
            transform.Apply(image, p, mine);
            steps.Apply(image, p, theirs);
            Assert.That(mine, Is.EqualTo(theirs), p.ToString());

            using var view = transform.ApplyBytes(image, p);
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < 1600; i += 7)
                {
                    Assert.That(mine[(c * 1600) + i], Is.EqualTo(((view.Pixels[(i * 3) + c] / 255f) - mean[c]) / std[c]).Within(1e-6f));
                }
            }
        }
    }

    [Test]
    public void Colour_steps_and_a_wrong_normalisation_are_refused()
    {
        using var image = new DecodedImage(30, 30, 3);
        var p = Transform.Sample(30, 30, new Random(1));
        var e = Assert.Throws<ArgumentException>(() => Transform.Apply(image, p with { Grayscale = true }, new float[3 * 40 * 40]));
        Assert.That(e!.Message, Does.Contain("no colour or blur step"));
        using var gray = new DecodedImage(30, 30, 1);
        e = Assert.Throws<ArgumentException>(() => Transform.Apply(gray, p, new float[40 * 40]));
        Assert.That(e!.Message, Does.Contain("3/3 values for a 1-channel image"));
    }
}
