using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MoCo.Evaluation;
using MoCo.Imaging;
using MoCo.Imaging.Transforms;
using MoCo.MLNet;

namespace MoCo.Search.Dedup;

/// <summary>A candidate duplicate pair found through a crop view: the crop of row <see cref="Row"/>'s image where
/// row <see cref="Other"/>'s image sits, with the centred cosine between that crop's features and the other row's.</summary>
internal readonly record struct CropPair(int Row, int Other, float Similarity);

/// <summary>What <see cref="CropViews.Match"/> did: candidate pairs looked at, pairs where one image was located inside
/// the other, crop views featurised, images that could not be read.</summary>
internal sealed record CropViewsReport(int Pairs, int Located, int Unreadable, double Seconds);

/// <summary>
/// Dedup's crop views (<c>moco dedup --crops</c>). A crop of a photo is far from the photo in feature space whenever the
/// encoder is not crop-invariant (measured on the demo's encoder at 28 px: 90% crops sit at centred cosine 0.78–0.92
/// from their original, among distinct look-alikes), so comparing stored features cannot group it. Here, for every
/// candidate pair (each image's nearest rows), <see cref="CropRegistration"/> looks for either image inside the other
/// by its pixels; where one is found, that window of the larger image is cut out, featurised with the store's encoder
/// and compared with the smaller image's stored features. A true crop's window is about the crop itself, as close as a
/// resized copy; a distinct look-alike's best window is not. The pairs come back with their centred cosine, and
/// <see cref="NearDuplicates"/> keeps those reaching its threshold.
/// </summary>
internal static class CropViews
{
    // Crop views featurised at a time.
    private const int ViewsPerBatch = 128;

    /// <summary>The crop pairs among <paramref name="candidates"/> (each row's nearest rows, as dedup's candidates).</summary>
    /// <param name="images">The store's images and encoder.</param>
    /// <param name="rows">The store's rows.</param>
    /// <param name="candidates">Each row's candidate rows.</param>
    /// <param name="centred">The rows' <see cref="CentredFeatures"/>.</param>
    /// <param name="mean">The column means the rows were centred with.</param>
    /// <param name="report">What was looked at and featurised.</param>
    public static IReadOnlyList<CropPair> Match(StoreImages images, StoreRows rows, IReadOnlyList<Neighbor[]> candidates, FeatureMatrix centred, float[] mean, out CropViewsReport report)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(centred);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seen = new HashSet<(int, int)>();
        var unreadable = new HashSet<int>();
        var pairs = new List<CropPair>();
        var views = new List<MoCoImageInput>();
        var owners = new List<(int Whole, int Part)>();
        int looked = 0, located = 0;
        var unit = new float[centred.Columns];

        void Flush()
        {
            if (views.Count == 0)
            {
                return;
            }

            var features = images.Featurizer.Featurize(views);
            for (var i = 0; i < owners.Count; i++)
            {
                if (CentredFeatures.TryCentre(MemoryMarshal.CreateReadOnlySpan(ref features[i, 0], unit.Length), mean, unit))
                {
                    pairs.Add(new CropPair(owners[i].Whole, owners[i].Part, TensorPrimitives.Dot(unit, centred.Row(owners[i].Part))));
                }
            }

            views.Clear();
            owners.Clear();
        }

        DecodedImage? Load(int row)
        {
            if (unreadable.Contains(row))
            {
                return null;
            }

            var image = images.TryLoad(rows.Items[row]);
            if (image is null)
            {
                unreadable.Add(row);
            }

            return image;
        }

        void Try(DecodedImage whole, int wholeRow, DecodedImage part, int partRow)
        {
            // A window that is the whole image is the pair's stored features again: nothing to add.
            if (CropRegistration.Locate(whole, part) is not { } box || (long)box.Width * box.Height >= (long)whole.Width * whole.Height * 98 / 100)
            {
                return;
            }

            located++;
            views.Add(MoCoImageInput.FromDecoded(ImageOps.ResizedCrop(whole, box, box.Width, box.Height), $"crop of {rows.Paths[wholeRow]} where {rows.Paths[partRow]} sits"));
            owners.Add((wholeRow, partRow));
        }

        for (var a = 0; a < rows.Count; a++)
        {
            using var first = Load(a);
            if (first is null)
            {
                continue;
            }

            foreach (var n in candidates[a])
            {
                var b = (int)n.Row;
                if (b == a || !seen.Add((Math.Min(a, b), Math.Max(a, b))))
                {
                    continue;
                }

                using var second = Load(b);
                if (second is null)
                {
                    continue;
                }

                looked++;
                Try(first, a, second, b);
                Try(second, b, first, a);
                if (views.Count >= ViewsPerBatch)
                {
                    Flush();
                }
            }
        }

        Flush();
        report = new CropViewsReport(looked, located, unreadable.Count, clock.Elapsed.TotalSeconds);
        return pairs;
    }
}
