using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.Imaging.Idx;
using MoCo.Imaging.Transforms;
using MoCo.Search.Dedup;

namespace MoCo.Cli.Tests.Support;

/// <summary>
/// A folder of distinct images with planted near-duplicates of the four kinds issue 20 names, made by dedup's own
/// <see cref="DuplicateMaker"/> (an exact copy, a 0.5× resize, a JPEG quality 50 re-encoding, a 90% crop at a seeded
/// corner). Originals are smooth colour fields, or Fashion-MNIST test images (Debian's dataset-fashion-mnist) drawn at
/// 2× (56 px), each test image used once at most, so no two originals are the same picture.
/// </summary>
internal static class PlantedDuplicates
{
    /// <summary>Writes <paramref name="distinct"/> Fashion-MNIST originals and, for the first <paramref name="planted"/>,
    /// one duplicate of each kind; returns the groups (original first, then the kinds in <see cref="DuplicateMaker.Kinds"/>'
    /// order) and the paths of the singletons.</summary>
    public static (List<string[]> Groups, List<string> Singletons) Write(string folder, int distinct, int planted, int seed)
    {
        var (images, _) = IdxSplit.Locate(FashionMnist.Directory, train: false);
        var (count, h, w, pixels) = IdxReader.ReadImages(images);
        var rng = new Random(seed);
        var picks = Enumerable.Range(0, count).OrderBy(_ => rng.Next()).Take(distinct).ToArray();
        return Write(folder, distinct, planted, seed, i =>
        {
            using var small = new DecodedImage(w, h, 1);
            pixels.AsSpan(picks[i] * h * w, h * w).CopyTo(small.Pixels);
            return ImageOps.ResizedCrop(small, new CropBox(0, 0, h, w), 2 * w, 2 * h);
        });
    }

    /// <summary>As <see cref="Write(string, int, int, int)"/>, with smooth random colour fields (96 px RGB) as originals.</summary>
    public static (List<string[]> Groups, List<string> Singletons) WriteColourFields(string folder, int distinct, int planted, int seed)
    {
        var rng = new Random(seed + 1);
        return Write(folder, distinct, planted, seed, _ => ColourField(rng));
    }

    private static (List<string[]> Groups, List<string> Singletons) Write(string folder, int distinct, int planted, int seed, Func<int, DecodedImage> make)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        var groups = new List<string[]>();
        var singletons = new List<string>();
        for (var i = 0; i < distinct; i++)
        {
            using var original = make(i);
            var path = Path.Combine(folder, $"img{i:D4}.png");
            File.WriteAllBytes(path, DuplicateMaker.Original(original));
            if (i >= planted)
            {
                singletons.Add(path);
                continue;
            }

            var group = new List<string> { path };
            foreach (var kind in DuplicateMaker.Kinds)
            {
                var copy = Path.Combine(folder, $"img{i:D4}-{kind.ToString().ToLowerInvariant()}{DuplicateMaker.Extension(kind)}");
                File.WriteAllBytes(copy, DuplicateMaker.Make(original, kind, rng));
                group.Add(copy);
            }

            groups.Add([.. group]);
        }

        return (groups, singletons);
    }

    /// <summary>A 96 px RGB image: a few random sinusoidal blobs of colour, as photos of different scenes differ.</summary>
    private static DecodedImage ColourField(Random rng)
    {
        const int side = 96;
        var image = new DecodedImage(side, side, 3);
        var waves = Enumerable.Range(0, 3).Select(_ => (fx: rng.NextDouble() * 0.08, fy: rng.NextDouble() * 0.08, phase: rng.NextDouble() * 6.3, amp: 40 + (rng.NextDouble() * 60))).ToArray();
        var tint = Enumerable.Range(0, 3).Select(_ => 60 + rng.Next(140)).ToArray();
        var pixels = image.Pixels;
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    pixels[(((y * side) + x) * 3) + c] = (byte)Math.Clamp(tint[c] + (waves[c].amp * Math.Sin((waves[c].fx * x) + (waves[c].fy * y) + waves[c].phase)), 0, 255);
                }
            }
        }

        return image;
    }
}
