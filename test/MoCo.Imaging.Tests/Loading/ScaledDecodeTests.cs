using System.Collections.Concurrent;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Loading;

/// <summary>
/// DCT-scaled JPEG decoding in the loader: the side it allows is checked against the crops the sampler really
/// draws (brute force), and the loader is checked to ask the decoder for it, or for full size when told not to.
/// </summary>
public class ScaledDecodeTests
{
    /// <summary>Wraps a dataset and records the decode options each Load was given.</summary>
    private sealed class Recording(IImageDataset inner) : IImageDataset
    {
        internal ConcurrentBag<ImageDecodeOptions> Seen { get; } = [];

        public int Count => inner.Count;

        public IReadOnlyList<string> Classes => inner.Classes;

        public int GetLabel(int index) => inner.GetLabel(index);

        public string Describe(int index) => inner.Describe(index);

        public DecodedImage Load(int index, ImageDecodeOptions options)
        {
            Seen.Add(options);
            return inner.Load(index, options);
        }
    }

    [TestCase(224, 0.2, 581)]
    [TestCase(32, 0.2, 86)]
    [TestCase(224, 0.08, 919)]
    public void Every_crop_drawn_on_a_source_of_the_minimum_side_is_at_least_the_view_size(int size, double scaleMin, int expected)
    {
        var crop = new RandomResizedCrop(size, scaleMin);
        int side = crop.MinSourceShorterSide;
        Assert.That(side, Is.EqualTo(expected));
        var rng = new Random(9);
        int smallest = int.MaxValue;
        foreach (var (w, h) in new[] { (side, side), (side, (side * 4) / 3), ((side * 16) / 9, side), (side, side * 3) })
        {
            for (int i = 0; i < 200_000; i++)
            {
                var box = crop.Sample(w, h, rng);
                smallest = Math.Min(smallest, Math.Min(box.Width, box.Height));
            }
        }

        Assert.That(smallest, Is.GreaterThanOrEqualTo(size), "some crop would be enlarged");
        Assert.That(smallest, Is.LessThan(size * 1.1), "the bound is tight: a smaller side would give crops under the view size");
    }

    [TestCase(true, 581)]
    [TestCase(false, 0)]
    public void The_pretraining_loader_asks_for_scaled_decoding_unless_told_not_to(bool scaled, int expectedSide)
    {
        var ds = new Recording(ImageDatasets.FashionMnist(train: false));
        var loader = ImageLoader.ForPretraining(ds, MoCoAugmentation.V2(224) with { Mean = [0.5f], Std = [0.5f] }, 1, new LoaderOptions(BatchSize: 2, Workers: 1, ScaledJpegDecode: scaled));
        using (loader.Epoch(0).First())
        {
        }

        Assert.That(ds.Seen.Select(o => o.MinShorterSide).Distinct(), Is.EqualTo(new[] { expectedSide }));
    }

    [Test]
    public void A_recipe_whose_normalisation_does_not_fit_the_channels_fails_before_loading()
    {
        var ds = new Recording(ImageDatasets.FashionMnist(train: false));
        Assert.That(() => ImageLoader.ForPretraining(ds, MoCoAugmentation.V2(28), 1), Throws.ArgumentException.With.Message.Contains("3 means"));
        Assert.That(() => ImageLoader.ForExtraction(ds, new EvalTransform(32, 28), 1), Throws.ArgumentException.With.Message.Contains("1-channel"));
        Assert.That(ds.Seen, Is.Empty);
    }

    [TestCase(true, 256)]
    [TestCase(false, 0)]
    public void The_extraction_loader_asks_for_the_resize_side_unless_told_not_to(bool scaled, int expectedSide)
    {
        var ds = new Recording(ImageDatasets.FashionMnist(train: false));
        var options = new LoaderOptions(BatchSize: 2, Workers: 1, DropLast: false, Shuffle: false, ScaledJpegDecode: scaled);
        var loader = ImageLoader.ForExtraction(ds, new EvalTransform(256, 224) { Mean = [0.5f], Std = [0.5f] }, 1, options);
        using (loader.Epoch(0).First())
        {
        }

        Assert.That(ds.Seen.Select(o => o.MinShorterSide).Distinct(), Is.EqualTo(new[] { expectedSide }));
    }
}
