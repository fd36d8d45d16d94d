using MoCo.Imaging.Datasets;
using MoCo.Imaging.Encoders;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Tests.Transforms;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Loading;

/// <summary>
/// The loader's one-view form (<see cref="ImageLoader.ForTraining"/>, fine-tuning's): each image decoded once and
/// augmented once; every view against torchvision's resized crop + flip of the file with the draws of its
/// (seed, epoch, index) stream, then ToTensor + Normalize; deterministic over thread counts and a resume.
/// </summary>
public class TrainingLoaderTests
{
    private static CropAndFlip Transform => new() { Crop = new RandomResizedCrop(24, 0.2), Mean = [0.4f, 0.5f, 0.6f], Std = [0.2f, 0.25f, 0.3f] };

    /// <summary>Counts decodes per index.</summary>
    private sealed class Counting(IImageDataset inner) : IImageDataset
    {
        internal readonly int[] Loads = new int[inner.Count];
        public int Count => inner.Count;
        public IReadOnlyList<string> Classes => inner.Classes;
        public int GetLabel(int index) => inner.GetLabel(index);
        public string Describe(int index) => inner.Describe(index);
        public DecodedImage Load(int index, ImageDecodeOptions options)
        {
            Interlocked.Increment(ref Loads[index]);
            return inner.Load(index, options);
        }
    }

    /// <summary>N distinct RGB images of 30 x 26 whose pixels encode the index.</summary>
    private static IImageDataset Arrays(int n)
    {
        var px = new byte[n * 26 * 30 * 3];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)((i * 7) + (i / 2340 * 13));
        return ImageDatasets.FromArrays(px, n, 26, 30, 3, Enumerable.Range(0, n).Select(i => i % 4).ToArray());
    }

    private static List<(int[] Indices, int[] Labels, float[] View)> Collect(ImageLoader loader, int epoch, int start = 0)
    {
        var result = new List<(int[], int[], float[])>();
        foreach (var batch in loader.Epoch(epoch, start))
        {
            using (batch)
            {
                Assert.That(batch.ViewCount, Is.EqualTo(1));
                result.Add((batch.Indices.ToArray(), batch.Labels.ToArray(), batch.View(0).ToArray()));
            }
        }

        return result;
    }

    [Test]
    public void Every_view_is_torchvision_s_crop_and_flip_of_its_file_with_its_own_draws()
    {
        var tv = new TorchvisionReference();
        string folder = Directory.CreateTempSubdirectory("moco-train-loader-").FullName;
        try
        {
            var rng = new Random(3);
            for (int f = 0; f < 7; f++)
            {
                int w = 31 + rng.Next(40), h = 29 + rng.Next(40);
                var px = new byte[w * h * 3];
                rng.NextBytes(px);
                byte[] png = PngEncoder.Encode(px, w, h, 3);
                File.WriteAllBytes(Path.Combine(folder, $"img{f}.png"), png);
                File.WriteAllBytes(Path.Combine(tv.Dir, $"img{f}.png"), png);
            }

            var dataset = ImageDatasets.FromFolder(folder, classSubfolders: false);
            var options = new LoaderOptions(BatchSize: 3, Workers: 2, Seed: 11, DropLast: false, ScaledJpegDecode: false);
            var loader = ImageLoader.ForTraining(dataset, Transform, 3, options);
            const int epoch = 4;
            var batches = Collect(loader, epoch);
            var seen = new List<(int Index, float[] View)>();
            foreach (var b in batches)
            {
                for (int k = 0; k < b.Indices.Length; k++) seen.Add((b.Indices[k], b.View.AsSpan(k * 3 * 576, 3 * 576).ToArray()));
            }

            Assert.That(seen.Select(s => s.Index), Is.EqualTo(loader.EpochOrder(epoch)), "one view per image, all 7, in the epoch's order");
            foreach (var (index, _) in seen)
            {
                // The draws the loader documents: the sample's own stream (seed, epoch, index), the crop then the flip.
                using var image = dataset.Load(index, new ImageDecodeOptions(Channels: 3));
                var p = Transform.Sample(image.Width, image.Height, new Random(SeedMix.Mix(11, epoch, index)));
                tv.Add($"rrc v{index} {Path.GetFileName(dataset.Describe(index))} {p.Crop.Top} {p.Crop.Left} {p.Crop.Height} {p.Crop.Width} 24 {(p.Flip ? 1 : 0)}");
            }

            tv.Run();
            foreach (var (index, view) in seen)
            {
                var expected = tv.Bytes($"v{index}");
                Assert.That((expected.Width, expected.Height, expected.Channels), Is.EqualTo((24, 24, 3)));
                double worst = 0;
                for (int c = 0; c < 3; c++)
                {
                    for (int i = 0; i < 576; i++)
                    {
                        double reference = ((expected.Pixels[(i * 3) + c] / 255.0) - Transform.Mean[c]) / Transform.Std[c];
                        worst = Math.Max(worst, Math.Abs(view[(c * 576) + i] - reference));
                    }
                }

                Assert.That(worst, Is.LessThan(1e-5), $"image {index}: ToTensor + Normalize of torchvision's view");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Each_image_is_decoded_once_per_epoch_and_the_last_batch_is_kept()
    {
        var dataset = new Counting(Arrays(23));
        var loader = ImageLoader.ForTraining(dataset, Transform, 3, new LoaderOptions(BatchSize: 5, Workers: 3, Seed: 2, DropLast: false));
        var batches = Collect(loader, epoch: 1);
        Assert.That(batches.Select(b => b.Indices.Length), Is.EqualTo(new[] { 5, 5, 5, 5, 3 }));
        Assert.That(batches.SelectMany(b => b.Labels), Is.EqualTo(batches.SelectMany(b => b.Indices).Select(i => i % 4)));
        Assert.That(dataset.Loads, Is.All.EqualTo(1));
        Assert.That(batches[0].View, Has.Length.EqualTo(5 * 3 * 24 * 24));
    }

    [Test]
    public void Batches_are_a_pure_function_of_seed_and_epoch_over_worker_counts_and_a_resume()
    {
        var options = new LoaderOptions(BatchSize: 4, Workers: 1, Seed: 9, DropLast: false);
        var one = Collect(ImageLoader.ForTraining(Arrays(19), Transform, 3, options), epoch: 2);
        var four = Collect(ImageLoader.ForTraining(Arrays(19), Transform, 3, options with { Workers = 4, Prefetch = 0 }), epoch: 2);
        var resumed = Collect(ImageLoader.ForTraining(Arrays(19), Transform, 3, options with { Workers = 3 }), epoch: 2, start: 3);
        var other = Collect(ImageLoader.ForTraining(Arrays(19), Transform, 3, options), epoch: 3);
        Assert.That(four.Select(b => b.View), Is.EqualTo(one.Select(b => b.View)));
        Assert.That(four.Select(b => b.Indices), Is.EqualTo(one.Select(b => b.Indices)));
        Assert.That(resumed.Select(b => b.View), Is.EqualTo(one.Skip(3).Select(b => b.View)));
        Assert.That(other.SelectMany(b => b.View), Is.Not.EqualTo(one.SelectMany(b => b.View)), "another epoch, other views");
    }

    [Test]
    public void A_normalisation_that_does_not_fit_the_channels_is_refused_up_front()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageLoader.ForTraining(Arrays(4), Transform, channels: 1));
        Assert.That(e!.Message, Does.Contain("3 means and 3 stds").And.Contain("1-channel views"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageLoader.ForTraining(Arrays(4), Transform, channels: 2));
    }
}
