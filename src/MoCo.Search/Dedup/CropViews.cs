using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MoCo.Evaluation;
using MoCo.MLNet;

namespace MoCo.Search.Dedup;

/// <summary>A candidate duplicate pair found through a crop view: a crop of row <see cref="Row"/>'s image and store row
/// <see cref="Other"/>, with the centred cosine between the crop's features and the other row's.</summary>
internal readonly record struct CropPair(int Row, int Other, float Similarity);

/// <summary>What <see cref="CropViews.Match"/> did: images read, crop views featurised, images that could not be read.</summary>
internal sealed record CropViewsReport(int Images, int Views, int Unreadable, double Seconds);

/// <summary>
/// Dedup's crop views (<c>moco dedup --crops</c>). A crop of a photo is far from the photo in feature space whenever the
/// encoder is not crop-invariant (measured on the demo's encoder at 28 px: 90% crops sit at centred cosine 0.78–0.92
/// from their original, among distinct look-alikes), so comparing stored features cannot group it. Here each store
/// image's 90% crops (<see cref="DuplicateMaker.Crop90"/>: four corners and the centre) are featurised with the store's
/// encoder and searched for in the store: a stored crop of the image sits at about the crop view's features, as close as
/// a resized copy. The pairs come back with their centred cosine; <see cref="NearDuplicates"/> keeps those reaching its
/// threshold. It costs <see cref="DuplicateMaker.CropPlaces"/> featurisations per image.
/// </summary>
internal static class CropViews
{
    // Images read and featurised at a time (each with its five views).
    private const int ImagesPerBatch = 64;

    /// <summary>
    /// The <paramref name="k"/> nearest store rows of every crop view of every row's image, other than the row itself,
    /// with their centred cosine.
    /// </summary>
    /// <param name="images">The store's images and encoder.</param>
    /// <param name="rows">The store's rows.</param>
    /// <param name="search">Search over <paramref name="rows"/> (index or exact).</param>
    /// <param name="centred">The rows' <see cref="CentredFeatures"/>.</param>
    /// <param name="mean">The column means the rows were centred with.</param>
    /// <param name="k">Candidates per crop view.</param>
    /// <param name="report">What was read and featurised.</param>
    public static IReadOnlyList<CropPair> Match(StoreImages images, StoreRows rows, NeighborSearch search, FeatureMatrix centred, float[] mean, int k, out CropViewsReport report)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(centred);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pairs = new List<CropPair>();
        var unit = new float[centred.Columns];
        int read = 0, views = 0, unreadable = 0;
        for (var start = 0; start < rows.Count; start += ImagesPerBatch)
        {
            var inputs = new List<MoCoImageInput>();
            var owners = new List<int>();
            for (var row = start; row < Math.Min(rows.Count, start + ImagesPerBatch); row++)
            {
                using var image = images.TryLoad(rows.Items[row]);
                if (image is null)
                {
                    unreadable++;
                    continue;
                }

                read++;
                for (var place = 0; place < DuplicateMaker.CropPlaces; place++)
                {
                    inputs.Add(MoCoImageInput.FromDecoded(DuplicateMaker.Crop90(image, place), $"90% crop {place} of {rows.Paths[row]}"));
                    owners.Add(row);
                }
            }

            if (inputs.Count == 0)
            {
                continue;
            }

            var features = images.Featurizer.Featurize(inputs);
            views += inputs.Count;
            for (var i = 0; i < owners.Count; i++)
            {
                var view = MemoryMarshal.CreateReadOnlySpan(ref features[i, 0], unit.Length);
                if (!CentredFeatures.TryCentre(view, mean, unit))
                {
                    continue;
                }

                foreach (var n in search.Query(view, k, excludedRow: owners[i]))
                {
                    pairs.Add(new CropPair(owners[i], (int)n.Row, TensorPrimitives.Dot(unit, centred.Row((int)n.Row))));
                }
            }
        }

        report = new CropViewsReport(read, views, unreadable, clock.Elapsed.TotalSeconds);
        return pairs;
    }
}
