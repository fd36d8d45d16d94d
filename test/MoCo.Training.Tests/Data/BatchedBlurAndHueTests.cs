using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Data;
using MoCo.Training.Trainer;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Data;

/// <summary>The steps of the presets' recipes that in-memory data gained: Gaussian blur (v2), hue jitter, v1's grayscale
/// before the jitter; and that the recipes without them draw and produce what they did before.</summary>
public class BatchedBlurAndHueTests
{
    private static double[] Kernel(double sigma)
    {
        int r = (int)Math.Ceiling(3 * sigma);
        var g = Enumerable.Range(-r, 2 * r + 1).Select(k => Math.Exp(-k * k / (2 * sigma * sigma))).ToArray();
        double total = g.Sum();
        return g.Select(v => v / total).ToArray();
    }

    // Closed form: a delta blurs to the outer product of the normalised 1-D kernel exp(-k²/2σ²), |k| ≤ ⌈3σ⌉; at a corner,
    // with the edges extended, the corner pixel keeps (Σ_{k ≤ 0} g_k)²; sigma 0 leaves its image as it was, bit for bit.
    [Test]
    public void A_delta_blurs_to_the_normalised_gaussian_kernel()
    {
        using var scope = NewDisposeScope();
        const int S = 21, Centre = 10;
        var x = zeros([3, 1, S, S]);
        x[0, 0, Centre, Centre] = tensor(1f);
        x[1, 0, 0, 0] = tensor(1f);
        x[2, 0, Centre, Centre] = tensor(1f);
        float[] sigma = [1.3f, 0.7f, 0f];
        var y = BatchedGaussianBlur.Apply(x, sigma);
        double[] g = Kernel(1.3f);
        int r = g.Length / 2;
        float[] centre = y[0, 0].data<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < S; i++)
            for (int j = 0; j < S; j++)
            {
                int di = i - Centre + r, dj = j - Centre + r;
                double expected = di >= 0 && di < g.Length && dj >= 0 && dj < g.Length ? g[di] * g[dj] : 0;
                worst = Math.Max(worst, Math.Abs(centre[i * S + j] - expected));
            }
        Assert.That(worst, Is.LessThan(1e-6), "centre delta");
        double[] g2 = Kernel(0.7f);
        double corner = g2.Take(g2.Length / 2 + 1).Sum();
        Assert.That(y[1, 0, 0, 0].item<float>(), Is.EqualTo(corner * corner).Within(1e-6), "corner delta, edges extended");
        Assert.That(y[2].SameValues(x[2]), Is.True, "sigma 0: unchanged");
    }

    [Test]
    public void A_constant_image_stays_constant()
    {
        using var scope = NewDisposeScope();
        var x = full([2, 3, 12, 12], 0.37f);
        var y = BatchedGaussianBlur.Apply(x, [2.0f, 0.4f]);
        Assert.That((y - 0.37f).abs().max().item<float>(), Is.LessThan(1e-6));
    }

    // Reference: torchvision 0.14's F.gaussian_blur on the same float images with kernel size 2⌈3σ⌉ + 1 and the same
    // sigma (its kernel is the same normalised Gaussian); compared where the kernel does not reach the border
    // (torchvision reflects there, we extend the edge as Pillow does).
    [Test]
    public void Blur_equals_torchvisions_gaussian_blur_away_from_the_border()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        const int S = 28;
        var x = rand([3, 3, S, S]);
        float[] sigma = [0.5f, 1.7f, 2.0f];
        var ours = BatchedGaussianBlur.Apply(x, sigma);
        using var r = PyTorch.Run("""
            import math
            import torchvision.transforms.functional as TF
            x = inp["x"]
            ys = []
            for i, s in enumerate([0.5, 1.7, 2.0]):
                s = float(np.float32(s))
                k = 2 * math.ceil(3 * s) + 1
                ys.append(TF.gaussian_blur(x[i], [k, k], [s, s]))
            out["y"] = torch.stack(ys)
            """, new Dictionary<string, Tensor> { ["x"] = x });
        for (int i = 0; i < 3; i++)
        {
            int border = BatchedGaussianBlur.Radius(sigma[i]);
            var inner = ours[i].narrow(1, border, S - 2 * border).narrow(2, border, S - 2 * border);
            var theirs = r.Tensors["y"][i].narrow(1, border, S - 2 * border).narrow(2, border, S - 2 * border);
            Assert.That((inner - theirs).abs().max().item<float>(), Is.LessThan(1e-5), $"sigma {sigma[i]}");
        }
    }

    // Reference: torchvision 0.14's F.adjust_hue on float tensors, per image its own shift, including the extremes ±0.5
    // and gray pixels (no hue).
    [Test]
    public void Hue_equals_torchvisions_adjust_hue()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var x = rand([4, 3, 9, 9]);
        x[0, TensorIndex.Colon, 0, 0] = tensor(new[] { 0.5f, 0.5f, 0.5f });
        float[] shift = [-0.1f, 0.25f, 0.4f, -0.5f];
        var ours = BatchedHue.Adjust(x, tensor(shift, [4, 1, 1]));
        using var r = PyTorch.Run("""
            import torchvision.transforms.functional as TF
            x = inp["x"]
            out["y"] = torch.stack([TF.adjust_hue(x[i], h) for i, h in enumerate([-0.1, 0.25, 0.4, -0.5])])
            """, new Dictionary<string, Tensor> { ["x"] = x });
        Assert.That((ours - r.Tensors["y"]).abs().max().item<float>(), Is.LessThan(1e-5));
    }

    // Reference: torchvision's four adjustments in each image's order with hue in its slot; tolerance 2e-3 as the
    // three-step test (torchvision's tensor luma uses 0.2989, PIL's and ours 0.299).
    [Test]
    public void Colour_jitter_puts_hue_in_its_drawn_slot()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var images = randint(0, 256, [4, 3, 12, 12], ScalarType.Byte);
        var p = new BatchedAugmentation.ViewParameters(4);
        float[] b = [1.3f, 0.7f, 1.0f, 1.2f], c = [0.6f, 1.4f, 1.2f, 0.9f], s = [1.35f, 0.65f, 0.8f, 1.1f], h = [0.08f, -0.1f, 0.05f, 0.3f];
        long[][] orders = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1]];
        int[] slots = [0, 1, 2, 3];
        for (int i = 0; i < 4; i++)
        {
            p.SetCrop(i, 0, 0, 12, 12, false, 12, 12);
            (p.Brightness[i], p.Contrast[i], p.Saturation[i], p.Hue[i], p.HueSlot[i]) = (b[i], c[i], s[i], h[i], slots[i]);
            for (int k = 0; k < 3; k++) p.Order[i * 3 + k] = orders[i][k];
        }
        var aug = new BatchedAugmentation { Size = 12, Mean = [0, 0, 0], Std = [1, 1, 1], Hue = 0.4 };
        var ours = aug.Apply(images, p);
        using var r = PyTorch.Run("""
            import torchvision.transforms.functional as TF
            x = inp["x"].float() / 255
            b, c, s, h = [1.3, 0.7, 1.0, 1.2], [0.6, 1.4, 1.2, 0.9], [1.35, 0.65, 0.8, 1.1], [0.08, -0.1, 0.05, 0.3]
            orders = [[3, 0, 1, 2], [1, 3, 2, 0], [2, 0, 3, 1], [0, 2, 1, 3]]
            ys = []
            for i in range(4):
                y = x[i]
                for op in orders[i]:
                    if op == 0: y = TF.adjust_brightness(y, b[i])
                    elif op == 1: y = TF.adjust_contrast(y, c[i])
                    elif op == 2: y = TF.adjust_saturation(y, s[i])
                    else: y = TF.adjust_hue(y, h[i])
                ys.append(y)
            out["y"] = torch.stack(ys)
            """, new Dictionary<string, Tensor> { ["x"] = images });
        Assert.That((ours - r.Tensors["y"]).abs().max().item<float>(), Is.LessThan(2e-3));
    }

    // v1's order (grayscale, then jitter): a grayed image stays gray through brightness and contrast.
    [Test]
    public void Grayscale_before_the_jitter_keeps_the_image_gray()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var images = randint(0, 256, [2, 3, 10, 10], ScalarType.Byte);
        var p = new BatchedAugmentation.ViewParameters(2);
        for (int i = 0; i < 2; i++)
        {
            p.SetCrop(i, 0, 0, 10, 10, false, 10, 10);
            (p.Brightness[i], p.Contrast[i], p.Saturation[i], p.Gray[i]) = (1.2f, 0.8f, 1.3f, true);
            for (int k = 0; k < 3; k++) p.Order[i * 3 + k] = k;
        }
        var after = new BatchedAugmentation { Size = 10, Mean = [0, 0, 0], Std = [1, 1, 1] };
        var before = after with { GrayscaleBeforeJitter = true };
        var y = before.Apply(images, p);
        Assert.That((y[TensorIndex.Colon, 0] - y[TensorIndex.Colon, 2]).abs().max().item<float>(), Is.LessThan(1e-6));
        Assert.That(y.SameValues(after.Apply(images, p)), Is.False, "the order matters");
    }

    // The recipes as the presets make them: v1's on gray data, and any recipe from a config written before (without
    // blur and hue), give the batches the in-memory path gave before blur and hue existed, bit for bit.
    [Test]
    public void Gray_v1_and_configs_from_before_give_the_batches_of_before_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        foreach (int channels in new[] { 1, 3 })
        {
            var images = randint(0, 256, [6, channels, 16, 16], ScalarType.Byte);
            double[] mean = [.. Enumerable.Repeat(0.3, channels)], std = [.. Enumerable.Repeat(0.3, channels)];
            // What PretrainConfig.Augmentation built before: the batched defaults with the preset's jitter probability.
            var oldV1 = new BatchedAugmentation { Size = 16, Scale = (0.2, 1.0), JitterProbability = 1.0, Mean = mean, Std = std };
            var oldV2 = oldV1 with { JitterProbability = 0.8 };
            var cases = new List<(string name, BatchedAugmentation now, BatchedAugmentation before)>
            {
                ("v2 from before", (PretrainConfig.V2 with { FullAugmentation = false }).Augmentation(16, mean, std), oldV2),
                ("v1 from before", (PretrainConfig.V1 with { FullAugmentation = false }).Augmentation(16, mean, std), oldV1),
            };
            if (channels == 1) cases.Add(("v1", PretrainConfig.V1.Augmentation(16, mean, std), oldV1));
            foreach (var (name, now, before) in cases)
            {
                var r1 = SplitMix64.For(11, 2, 3, 1);
                var r2 = SplitMix64.For(11, 2, 3, 1);
                Assert.That(now.Apply(images, ref r1).SameValues(before.Apply(images, ref r2)), Is.True, $"{name}, {channels} channel(s)");
            }
        }
    }

    [Test]
    public void V2_blurs_half_its_views_and_shifts_hue_and_the_other_draws_stay_as_they_were()
    {
        var full = PretrainConfig.V2.Augmentation(28, [0.5, 0.5, 0.5], [0.2, 0.2, 0.2]);
        var before = (PretrainConfig.V2 with { FullAugmentation = false }).Augmentation(28, [0.5, 0.5, 0.5], [0.2, 0.2, 0.2]);
        Assert.That((full.BlurProbability, full.BlurSigma, full.Hue, full.GrayscaleBeforeJitter), Is.EqualTo((0.5, (0.1, 2.0), 0.1, false)));
        Assert.That(PretrainConfig.V1.Augmentation(28, [0.5], [0.2]) is { BlurProbability: 0, Hue: 0.4, GrayscaleBeforeJitter: true }, Is.True);
        var r1 = new SplitMix64(3);
        var r2 = new SplitMix64(3);
        var p = full.Sample(4000, 28, 28, ref r1);
        var q = before.Sample(4000, 28, 28, ref r2);
        Assert.That((p.Theta, p.Brightness, p.Contrast, p.Saturation, p.Order, p.Gray), Is.EqualTo((q.Theta, q.Brightness, q.Contrast, q.Saturation, q.Order, q.Gray)));
        var blurred = p.BlurSigma.Where(s => s > 0).ToArray();
        Assert.That(blurred.Length / 4000.0, Is.EqualTo(0.5).Within(0.03));
        Assert.That(blurred.Min() >= 0.1f && blurred.Max() <= 2.0f, Is.True);
        Assert.That(blurred.Average(), Is.EqualTo(1.05).Within(0.04));
        var jittered = Enumerable.Range(0, 4000).Where(i => p.Brightness[i] != 1).ToArray();
        Assert.That(jittered.All(i => Math.Abs(p.Hue[i]) <= 0.1f) && jittered.Count(i => p.Hue[i] != 0) == jittered.Length, Is.True);
        Assert.That(Enumerable.Range(0, 4000).Except(jittered).All(i => p.Hue[i] == 0), Is.True, "no jitter, no hue");
        for (int slot = 0; slot < 4; slot++)
            Assert.That(jittered.Count(i => p.HueSlot[i] == slot) / (double)jittered.Length, Is.EqualTo(0.25).Within(0.03), $"slot {slot}");
    }

    [Test]
    public void V2_views_with_blur_and_hue_are_a_pure_function_of_their_stream()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var images = randint(0, 256, [8, 3, 20, 20], ScalarType.Byte);
        var aug = PretrainConfig.V2.Augmentation(20, [0.5, 0.5, 0.5], [0.2, 0.2, 0.2]);
        var r1 = SplitMix64.For(5, 1, 2, 3);
        var r2 = SplitMix64.For(5, 1, 2, 3);
        var r3 = SplitMix64.For(5, 1, 2, 4);
        var probe = SplitMix64.For(5, 1, 2, 3);
        Assert.That(aug.Sample(8, 20, 20, ref probe).BlurSigma.Any(s => s > 0), Is.True, "the stream blurs some view");
        var a = aug.Apply(images, ref r1);
        Assert.That(a.SameValues(aug.Apply(images, ref r2)), Is.True);
        Assert.That(a.SameValues(aug.Apply(images, ref r3)), Is.False);
    }

    [Test]
    public void The_start_up_note_lists_the_skipped_steps_and_the_gray_identities()
    {
        using var images = Trainer.PretrainRunTests.Blobs();
        string full = new InMemoryViewPairSource(images, PretrainConfig.V2.Augmentation(16, [0.3], [0.3]), 0).AugmentationNote!;
        Assert.That(full, Does.Contain("Gaussian blur p 0.5 (sigma 0.1–2)").And.Contain("hue 0.1")
            .And.Contain("on 1-channel images saturation, hue and grayscale change nothing").And.Not.Contain("skipped"));
        string before = new InMemoryViewPairSource(images, (PretrainConfig.V2 with { FullAugmentation = false }).Augmentation(16, [0.3], [0.3]), 0).AugmentationNote!;
        Assert.That(before, Does.Contain("no blur").And.Contain("skipped from the preset's recipe: Gaussian blur (p 0.5, sigma 0.1–2), hue jitter (0.1)"));
        string v1 = (PretrainConfig.V1 with { FullAugmentation = false }).Augmentation(16, [0.3, 0.3, 0.3], [0.3, 0.3, 0.3]).Describe(3);
        Assert.That(v1, Does.Contain("skipped from the preset's recipe: hue jitter (0.4), grayscale before the colour jitter (done after it)")
            .And.Not.Contain("1-channel"));
    }
}
