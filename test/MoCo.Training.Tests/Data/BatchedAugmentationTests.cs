using TorchSharp;
using MoCo.Training.Tests.Reference;
using MoCo.Training.Data;
using static TorchSharp.torch;

namespace MoCo.Training.Tests.Data;

public class BatchedAugmentationTests
{
    private static readonly BatchedAugmentation Plain = new() { Size = 20, Mean = [0.0], Std = [1.0] };

    [Test]
    public void Crops_follow_torchvisions_sampling_rules()
    {
        var rng = new SplitMix64(1);
        var aug = new BatchedAugmentation();
        int fallbacks = 0;
        for (int i = 0; i < 4000; i++)
        {
            var (top, left, h, w) = aug.SampleCrop(ref rng, 28, 28);
            Assert.That(top >= 0 && left >= 0 && top + h <= 28 && left + w <= 28 && h > 0 && w > 0, Is.True);
            if (h == 28 && w == 28) fallbacks++;
            // Rounded sides of an area in [0.2, 1]·784 with aspect in [3/4, 4/3].
            Assert.That(h * w, Is.InRange(0.2 * 784 * 0.75, 784));
            Assert.That((double)w / h, Is.InRange(0.75 * 0.8, 4.0 / 3 * 1.25));
        }
        Assert.That(fallbacks, Is.LessThan(400));
        // When ten tries all fail (no crop of area ≥ 99% has aspect ≥ 4), torchvision falls back to the central crop
        // of the nearest allowed aspect: w = W, h = round(W / 4), centred.
        var impossible = aug with { Scale = (0.99, 1.0), Ratio = (4.0, 5.0) };
        Assert.That(impossible.SampleCrop(ref rng, 28, 28), Is.EqualTo((10, 0, 7, 28)));
    }

    [Test]
    public void Views_are_a_pure_function_of_their_stream()
    {
        using var scope = NewDisposeScope();
        var images = randint(0, 256, [4, 1, 28, 28], ScalarType.Byte);
        var aug = new BatchedAugmentation();
        var r1 = SplitMix64.For(5, 1, 2, 3);
        var r2 = SplitMix64.For(5, 1, 2, 3);
        var r3 = SplitMix64.For(5, 1, 2, 4);
        Assert.That(aug.Apply(images, ref r1).SameValues(aug.Apply(images, ref r2)), Is.True);
        Assert.That(aug.Apply(images, ref r1).SameValues(aug.Apply(images, ref r3)), Is.False);
    }

    // Reference: torchvision 0.14's F.resized_crop (bilinear, no antialias) and F.hflip on the same float image, same
    // box; compared inside a 1-pixel border (at the box edge we sample the neighbouring pixels, torchvision clamps).
    [Test]
    public void Crop_resize_and_flip_equal_torchvisions_resized_crop()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var images = randint(0, 256, [2, 1, 28, 28], ScalarType.Byte);
        var p = new BatchedAugmentation.ViewParameters(2);
        p.SetCrop(0, 3, 5, 14, 11, flip: false, 28, 28);
        p.SetCrop(1, 0, 2, 25, 21, flip: true, 28, 28);
        for (int i = 0; i < 2; i++)
        {
            p.Brightness[i] = p.Contrast[i] = p.Saturation[i] = 1;
            p.Order[i * 3] = 0; p.Order[i * 3 + 1] = 1; p.Order[i * 3 + 2] = 2;
        }
        var ours = Plain.Apply(images, p);
        using var r = PyTorch.Run("""
            import torchvision.transforms.functional as TF
            x = inp["x"].float() / 255
            a = TF.resized_crop(x[0], 3, 5, 14, 11, [20, 20], antialias=False)
            b = TF.hflip(TF.resized_crop(x[1], 0, 2, 25, 21, [20, 20], antialias=False))
            out["y"] = torch.stack([a, b])
            """, new Dictionary<string, Tensor> { ["x"] = images });
        var inner = ours.narrow(2, 1, 18).narrow(3, 1, 18);
        var theirs = r.Tensors["y"].narrow(2, 1, 18).narrow(3, 1, 18);
        Assert.That((inner - theirs).abs().max().item<float>(), Is.LessThan(1e-5));
    }

    // Reference: torchvision's adjust_brightness / adjust_contrast / adjust_saturation on float tensors, in the
    // image's drawn order; gray and RGB; tolerance 2e-3 (torchvision's tensor luma uses 0.2989, PIL's and ours 0.299).
    [Test]
    public void Colour_jitter_equals_torchvisions_adjustments_in_the_drawn_order()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        foreach (int channels in new[] { 1, 3 })
        {
            var images = randint(0, 256, [3, channels, 20, 20], ScalarType.Byte);
            var p = new BatchedAugmentation.ViewParameters(3);
            float[] b = [1.3f, 0.7f, 1.0f], c = [0.6f, 1.4f, 1.2f], s = [1.35f, 0.65f, 0.8f];
            long[][] orders = [[0, 1, 2], [1, 2, 0], [2, 0, 1]];
            for (int i = 0; i < 3; i++)
            {
                p.SetCrop(i, 0, 0, 20, 20, false, 20, 20);
                (p.Brightness[i], p.Contrast[i], p.Saturation[i]) = (b[i], c[i], s[i]);
                for (int k = 0; k < 3; k++) p.Order[i * 3 + k] = orders[i][k];
            }
            var aug = Plain with { Mean = Enumerable.Repeat(0.0, channels).ToArray(), Std = Enumerable.Repeat(1.0, channels).ToArray() };
            var ours = aug.Apply(images, p);
            using var r = PyTorch.Run("""
                import torchvision.transforms.functional as TF
                x = inp["x"].float() / 255
                b, c, s = [1.3, 0.7, 1.0], [0.6, 1.4, 1.2], [1.35, 0.65, 0.8]
                orders = [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
                ys = []
                for i in range(3):
                    y = x[i]
                    for op in orders[i]:
                        if op == 0: y = TF.adjust_brightness(y, b[i])
                        elif op == 1: y = TF.adjust_contrast(y, c[i])
                        elif y.shape[0] == 3: y = TF.adjust_saturation(y, s[i])
                    ys.append(y)
                out["y"] = torch.stack(ys)
                """, new Dictionary<string, Tensor> { ["x"] = images });
            Assert.That((ours - r.Tensors["y"]).abs().max().item<float>(), Is.LessThan(2e-3), $"{channels} channel(s)");
        }
    }

    [Test]
    public void Epoch_order_visits_every_image_once_and_drops_the_last_partial_batch()
    {
        using var images = Trainer.PretrainRunTests.Blobs(50);
        var source = new InMemoryViewPairSource(images, new BatchedAugmentation { Size = 16, Mean = [0.5], Std = [0.5] }, 9);
        int[] order = source.Order(3);
        Assert.That(order.Order(), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(source.Order(4), Is.Not.EqualTo(order));
        Assert.That(source.Order(3), Is.EqualTo(order));
        var batches = source.Epoch(0, 0, 8, CPU).ToList();
        Assert.That(batches.Select(b => b.Index), Is.EqualTo(Enumerable.Range(0, 6)));
        Assert.That(batches[0].Query.shape, Is.EqualTo(new long[] { 8, 1, 16, 16 }));
        foreach (var b in batches) b.Dispose();
        Assert.That(source.Epoch(0, 4, 8, CPU).Select(b => { b.Dispose(); return b.Index; }), Is.EqualTo(new[] { 4, 5 }));
    }
}
