using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Tests.Fixtures;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Loading;

public class ImageLoaderTests
{
    /// <summary>N distinct 12x10 gray images; pixel values encode the index so views can be traced.</summary>
    private static IImageDataset Arrays(int n)
    {
        var px = new byte[n * 10 * 12];
        for (int i = 0; i < px.Length; i++)
        {
            px[i] = (byte)((i / 120) * 3 + (i % 120));
        }

        return ImageDatasets.FromArrays(px, n, 10, 12, 1, Enumerable.Range(0, n).Select(i => i % 7).ToArray());
    }

    private static List<(int[] Indices, int[] Labels, float[] V0, float[] V1)> Collect(ImageLoader loader, int epoch, int start = 0)
    {
        var result = new List<(int[], int[], float[], float[])>();
        foreach (var batch in loader.Epoch(epoch, start))
        {
            using (batch)
            {
                result.Add((batch.Indices.ToArray(), batch.Labels.ToArray(), batch.View(0).ToArray(), batch.ViewCount > 1 ? batch.View(1).ToArray() : []));
            }
        }

        return result;
    }

    private static MoCoAugmentation Aug => MoCoAugmentation.V2(8) with { Mean = [0.5f], Std = [0.25f] };

    [TestCase(true, 5)]  // 103 / 10: 10 full batches
    [TestCase(false, 1)] // and the 3-sample tail
    public void Every_sample_appears_exactly_once_per_epoch(bool dropLast, int workers)
    {
        var loader = ImageLoader.ForPretraining(Arrays(103), Aug, channels: 1, new LoaderOptions(BatchSize: 10, Workers: workers, DropLast: dropLast, Seed: 3));
        var batches = Collect(loader, epoch: 0);
        var seen = batches.SelectMany(b => b.Indices).ToArray();
        Assert.That(batches, Has.Count.EqualTo(dropLast ? 10 : 11));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EqualTo(loader.EpochOrder(0).Take(dropLast ? 100 : 103)));
        Assert.That(batches.SelectMany(b => b.Labels), Is.EqualTo(seen.Select(i => i % 7)));
        Assert.That(batches[0].V0, Has.Length.EqualTo(10 * 1 * 8 * 8));
        Assert.That(batches[0].V0, Is.Not.EqualTo(batches[0].V1), "the two views are drawn independently");
    }

    [Test]
    public void Batches_are_deterministic_across_worker_counts_and_resume()
    {
        var opts = new LoaderOptions(BatchSize: 16, Workers: 1, Seed: 9);
        var one = Collect(ImageLoader.ForPretraining(Arrays(70), Aug, 1, opts), epoch: 2);
        var four = Collect(ImageLoader.ForPretraining(Arrays(70), Aug, 1, opts with { Workers = 4, Prefetch = 0 }), epoch: 2);
        var resumed = Collect(ImageLoader.ForPretraining(Arrays(70), Aug, 1, opts with { Workers = 3 }), epoch: 2, start: 2);
        Assert.That(four.Select(b => b.V0.Concat(b.V1)), Is.EqualTo(one.Select(b => b.V0.Concat(b.V1))));
        Assert.That(resumed.Select(b => b.Indices), Is.EqualTo(one.Skip(2).Select(b => b.Indices)));
        Assert.That(resumed.Select(b => b.V0), Is.EqualTo(one.Skip(2).Select(b => b.V0)));

        var other = ImageLoader.ForPretraining(Arrays(70), Aug, 1, opts);
        Assert.That(other.EpochOrder(3), Is.Not.EqualTo(other.EpochOrder(2)));
        Assert.That(other.EpochOrder(2), Is.EqualTo(ImageLoader.ForPretraining(Arrays(70), Aug, 1, opts).EpochOrder(2)));
    }

    [Test]
    public void A_corrupt_file_in_the_folder_is_skipped_and_reported()
    {
        string dir = Directory.CreateTempSubdirectory("moco-loader-").FullName;
        try
        {
            string fx = PythonFixtures.Make("make_decoding_fixtures.py");
            Directory.CreateDirectory(Path.Combine(dir, "a"));
            Directory.CreateDirectory(Path.Combine(dir, "b"));
            File.Copy(Path.Combine(fx, "rgb.jpg"), Path.Combine(dir, "a", "1.jpg"));
            File.Copy(Path.Combine(fx, "rgb.png"), Path.Combine(dir, "a", "2.png"));
            File.Copy(Path.Combine(fx, "bad_truncated.jpg"), Path.Combine(dir, "b", "broken.jpg"));
            File.Copy(Path.Combine(fx, "gray.png"), Path.Combine(dir, "b", "3.png"));
            var ds = ImageDatasets.FromFolder(dir);
            var loader = ImageLoader.ForExtraction(ds, new EvalTransform(40, 32), 3, new LoaderOptions(BatchSize: 3, Workers: 2, DropLast: false, Shuffle: false));
            var batches = Collect(loader, 0);
            Assert.That(batches.SelectMany(b => b.Indices), Is.EqualTo(new[] { 0, 1, 2 }), string.Join("; ", loader.Skipped));
            Assert.That(batches.SelectMany(b => b.Labels), Is.EqualTo(new[] { 0, 0, 1 }));
            Assert.That(loader.Skipped.Single().Sample, Does.EndWith("broken.jpg"));

            var strict = ImageLoader.ForExtraction(ds, new EvalTransform(40, 32), 3, new LoaderOptions(BatchSize: 3, Workers: 2, DropLast: false, Shuffle: false, SkipBadFiles: false));
            Assert.That(() => Collect(strict, 0), Throws.InstanceOf<ImageDecodeException>().With.Message.Contains("broken.jpg"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Pretraining_batches_stay_full_when_bad_files_are_replaced()
    {
        string dir = Directory.CreateTempSubdirectory("moco-loader-").FullName;
        try
        {
            string fx = PythonFixtures.Make("make_decoding_fixtures.py");
            for (int i = 0; i < 12; i++)
            {
                string source = i % 4 == 3 ? "bad_truncated.jpg" : i % 2 == 0 ? "rgb.png" : "gray.png";
                File.Copy(Path.Combine(fx, source), Path.Combine(dir, $"{i:D2}{Path.GetExtension(source)}"));
            }

            File.WriteAllBytes(Path.Combine(dir, "99.png"), []); // zero bytes
            var ds = ImageDatasets.FromFolder(dir, classSubfolders: false);
            var opts = new LoaderOptions(BatchSize: 4, Workers: 2, Seed: 5, ReplaceBadFiles: true);
            var loader = ImageLoader.ForPretraining(ds, MoCoAugmentation.V2(16), 3, opts);
            var epochs = new[] { Collect(loader, 0), Collect(loader, 1) };
            var bad = new HashSet<int>(Enumerable.Range(0, ds.Count).Where(i => ds.Describe(i).EndsWith("03.jpg", StringComparison.Ordinal) ||
                ds.Describe(i).EndsWith("07.jpg", StringComparison.Ordinal) || ds.Describe(i).EndsWith("11.jpg", StringComparison.Ordinal) ||
                ds.Describe(i).EndsWith("99.png", StringComparison.Ordinal)));
            Assert.That(bad, Has.Count.EqualTo(4));
            foreach (var batches in epochs)
            {
                Assert.That(batches, Has.Count.EqualTo(3));
                Assert.That(batches.Select(b => b.Indices.Length), Is.All.EqualTo(4), "every batch full");
                Assert.That(batches.SelectMany(b => b.Indices).Where(bad.Contains), Is.Empty, "no bad file trained on");
            }

            // Each bad file reported once, however often it is met; the same run again draws the same substitutes.
            Assert.That(loader.Skipped.Select(s => s.Index).Order(), Is.EqualTo(bad.Order()));
            var again = ImageLoader.ForPretraining(ds, MoCoAugmentation.V2(16), 3, opts with { Workers = 1 });
            Assert.That(Collect(again, 1).Select(b => b.Indices), Is.EqualTo(epochs[1].Select(b => b.Indices)));
            Assert.That(Collect(again, 1).Select(b => b.V0), Is.EqualTo(epochs[1].Select(b => b.V0)));

            // Without replacement a bad file leaves its batch short.
            var plain = ImageLoader.ForPretraining(ds, MoCoAugmentation.V2(16), 3, opts with { ReplaceBadFiles = false });
            Assert.That(Collect(plain, 0).Sum(b => b.Indices.Length), Is.LessThan(12));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Managed_memory_stays_flat_over_many_epochs()
    {
        // Reference: the heap after two warm-up epochs (pools filled); 30 more epochs may not add to it.
        var loader = ImageLoader.ForPretraining(Arrays(200), Aug, 1, new LoaderOptions(BatchSize: 16, Workers: 2, ReplaceBadFiles: true));
        static long Heap()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }

        for (int e = 0; e < 2; e++)
        {
            foreach (var batch in loader.Epoch(e))
            {
                batch.Dispose();
            }
        }

        long before = Heap();
        for (int e = 2; e < 32; e++)
        {
            foreach (var batch in loader.Epoch(e))
            {
                batch.Dispose();
            }
        }

        long growth = Heap() - before;
        Assert.That(growth, Is.LessThan(256 * 1024), $"the heap grew {growth} bytes over 30 epochs");
    }

    [Test]
    public void Extraction_views_equal_the_eval_transform_of_each_image()
    {
        var ds = ImageDatasets.FashionMnist(train: false);
        var eval = new EvalTransform(28, 24) { Mean = [0.2860f], Std = [0.3530f] };
        var loader = ImageLoader.ForExtraction(ds, eval, 1, new LoaderOptions(BatchSize: 64, Workers: 2, DropLast: false, Shuffle: false));
        using var first = loader.Epoch(0).First();
        var expected = new float[24 * 24];
        using var image = ds.Load(5, new ImageDecodeOptions(Channels: 1));
        eval.Apply(image, expected);
        Assert.That(first.View(0).Slice(5 * 576, 576).ToArray(), Is.EqualTo(expected));
        Assert.That(loader.BatchesPerEpoch, Is.EqualTo(157));
    }
}
