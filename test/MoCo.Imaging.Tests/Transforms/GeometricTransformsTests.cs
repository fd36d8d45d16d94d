using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// RandomResizedCrop, flip and the eval recipe against torchvision 0.14 + PIL 9.4 on the same images
/// with the same sampled parameters. Tolerance: uint8 exact (tighter than the 2/255: the
/// resampler mirrors Pillow's fixed-point arithmetic, and 2 would hide a lost rounding term); normalised floats 1e-6.
/// </summary>
public class GeometricTransformsTests
{
    private const int Tolerance = 0;
    private static readonly string[] Sources = ["big.ppm", "rgb.png", "gray.png", "rgba.png"];

    private static readonly Lazy<(TorchvisionReference Ref, List<(string Name, string Src, CropBox Box, int Size, bool Flip)> Jobs)> Rrc = new(() =>
    {
        var tv = new TorchvisionReference();
        var jobs = new List<(string, string, CropBox, int, bool)>();
        var rng = new Random(7);
        var crop = new RandomResizedCrop();
        int n = 0;
        foreach (var src in Sources)
        {
            using var image = Load(tv, src);
            foreach (int size in new[] { 224, 32, 17 })
            {
                for (int k = 0; k < 3; k++)
                {
                    var box = (crop with { Size = size }).Sample(image.Width, image.Height, rng);
                    bool flip = rng.Next(2) == 1;
                    string name = $"rrc{n++}";
                    jobs.Add((name, src, box, size, flip));
                    tv.Add($"rrc {name} {src} {box.Top} {box.Left} {box.Height} {box.Width} {size} {(flip ? 1 : 0)}");
                }
            }
        }

        tv.Run();
        return (tv, jobs);
    });

    private static DecodedImage Load(TorchvisionReference tv, string src)
    {
        if (src == "big.ppm")
        {
            return ImageDecoder.Decode(Path.Combine(Fixtures.PythonFixtures.Make("make_decoding_fixtures.py"), "big.jpg"));
        }

        return ImageDecoder.Decode(Path.Combine(tv.Dir, src));
    }

    [Test]
    public void Random_resized_crop_and_flip_match_torchvision()
    {
        var (tv, jobs) = Rrc.Value;
        Assert.That(jobs, Has.Count.EqualTo(36));
        foreach (var (name, src, box, size, flip) in jobs)
        {
            using var image = Load(tv, src);
            using var view = new RandomResizedCrop(size).Apply(image, box);
            if (flip)
            {
                ImageOps.FlipHorizontalInPlace(view);
            }

            var expected = tv.Bytes(name);
            Assert.That((view.Width, view.Height, view.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), name);
            Assert.That(TorchvisionReference.MaxAbsDiff(view.Pixels, expected.Pixels), Is.LessThanOrEqualTo(Tolerance), $"{name}: {src} {box} -> {size} flip={flip}");
        }
    }

    [Test]
    public void Eval_recipe_matches_torchvision_resize_center_crop_normalize()
    {
        var tv = new TorchvisionReference();
        var cases = new (string Src, int Resize, int Crop)[] { ("big.ppm", 256, 224), ("big.ppm", 64, 56), ("rgb.png", 40, 33), ("gray.png", 100, 99), ("rgb.png", 45, 45) };
        for (int i = 0; i < cases.Length; i++)
        {
            tv.Add($"eval e{i} {cases[i].Src} {cases[i].Resize} {cases[i].Crop}");
        }

        tv.Run();
        for (int i = 0; i < cases.Length; i++)
        {
            var (src, resize, crop) = cases[i];
            using var image = Load(tv, src);
            var eval = new EvalTransform(resize, crop) { Mean = new[] { 0.485f, 0.456f, 0.406f }[..image.Channels], Std = new[] { 0.229f, 0.224f, 0.225f }[..image.Channels] };
            using var bytes = eval.ApplyBytes(image);
            var expected = tv.Bytes($"e{i}");
            Assert.That((bytes.Width, bytes.Height, bytes.Channels), Is.EqualTo((expected.Width, expected.Height, expected.Channels)), src);
            Assert.That(TorchvisionReference.MaxAbsDiff(bytes.Pixels, expected.Pixels), Is.LessThanOrEqualTo(Tolerance), $"e{i} {src}");

            var floats = new float[image.Channels * crop * crop];
            eval.Apply(image, floats);
            Assert.That(floats, Is.EqualTo(tv.Floats($"e{i}")).Within(1e-6f), $"e{i} normalised");
        }
    }

    [TestCase(100, 10)] // too wide for 4/3: h = height, w = round(10 * 4/3) = 13
    [TestCase(10, 100)] // too tall for 3/4: w = width, h = round(10 / (3/4)) = 13
    public void Central_fallback_clamps_the_ratio_as_torchvision(int width, int height)
    {
        // Scale > 1 can never fit, so all 10 tries fail (torchvision's loop, closed form below).
        var crop = new RandomResizedCrop(8, ScaleMin: 2, ScaleMax: 3);
        var box = crop.Sample(width, height, new Random(1));
        var expected = width > height ? new CropBox(0, (width - 13) / 2, 10, 13) : new CropBox((height - 13) / 2, 0, 13, 10);
        Assert.That(box, Is.EqualTo(expected));
    }

    [Test]
    public void Sampled_boxes_lie_inside_and_respect_scale_and_ratio()
    {
        var crop = new RandomResizedCrop(224, 0.2, 1.0);
        var rng = new Random(3);
        for (int t = 0; t < 2000; t++)
        {
            int w = rng.Next(20, 600), h = rng.Next(20, 600);
            var b = crop.Sample(w, h, rng);
            Assert.That(b.Top >= 0 && b.Left >= 0 && b.Top + b.Height <= h && b.Left + b.Width <= w, Is.True, $"{b} in {w}x{h}");
        }
    }

    [Test]
    public void Sampling_is_deterministic_under_a_seed()
    {
        var crop = new RandomResizedCrop();
        var a = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => crop.Sample(500, 375, new Random(i))).ToArray();
        var b = Enumerable.Range(0, 50).Select(_ => 0).Select((_, i) => crop.Sample(500, 375, new Random(i))).ToArray();
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.Distinct().Count(), Is.GreaterThan(45));
    }

    [Test]
    public void Center_crop_box_rounds_half_to_even_as_python()
    {
        // round(0.5) = 0 and round(1.5) = 2 in Python 3.
        Assert.That(ImageOps.CenterCropBox(11, 12, 10), Is.EqualTo(new CropBox(1, 0, 10, 10)));
        Assert.That(ImageOps.CenterCropBox(13, 13, 10), Is.EqualTo(new CropBox(2, 2, 10, 10)));
    }
}
