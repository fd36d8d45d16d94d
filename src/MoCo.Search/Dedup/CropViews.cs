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
    /// <summary>The crop pairs among <paramref name="candidates"/> (each row's nearest rows, as dedup's candidates).</summary>
    /// <param name="images">The store's images and encoder.</param>
    /// <param name="rows">The store's rows.</param>
    /// <param name="candidates">Each row's candidate rows.</param>
    /// <param name="centred">The rows' <see cref="CentredFeatures"/>.</param>
    /// <param name="mean">The column means the rows were centred with.</param>
    /// <param name="threads">Threads that read and register the pairs (the encoder keeps its own).</param>
    /// <param name="report">What was looked at and featurised.</param>
    public static IReadOnlyList<CropPair> Match(StoreImages images, StoreRows rows, IReadOnlyList<Neighbor[]> candidates, FeatureMatrix centred, float[] mean, int threads, out CropViewsReport report)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(centred);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seen = new HashSet<(int, int)>();
        var unreadable = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        var pairs = new List<CropPair>();
        var unit = new float[centred.Columns];
        int looked = 0, located = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (var start = 0; start < rows.Count; start += RowsPerChunk)
        {
            // This chunk's pairs, each unordered pair once over the whole run, in a fixed order.
            var chunk = new List<(int A, int B)>();
            for (var a = start; a < Math.Min(rows.Count, start + RowsPerChunk); a++)
            {
                foreach (var n in candidates[a])
                {
                    var b = (int)n.Row;
                    if (b != a && seen.Add((Math.Min(a, b), Math.Max(a, b))))
                    {
                        chunk.Add((a, b));
                    }
                }
            }

            // Read and register in parallel; each pair's windows land in its own slot, so the order stays fixed.
            var found = new List<(int Whole, int Part, DecodedImage View)>?[chunk.Count];
            var readPairs = new int[chunk.Count];
            Parallel.For(0, chunk.Count, parallel, i =>
            {
                var (a, b) = chunk[i];
                using var first = Load(images, rows, unreadable, a);
                using var second = first is null ? null : Load(images, rows, unreadable, b);
                if (first is null || second is null)
                {
                    return;
                }

                readPairs[i] = 1;
                found[i] = [.. Window(first, a, second, b), .. Window(second, b, first, a)];
            });

            looked += readPairs.Sum();
            var views = new List<MoCoImageInput>();
            var owners = new List<(int Whole, int Part)>();
            foreach (var (whole, part, view) in found.Where(f => f is not null).SelectMany(f => f!))
            {
                located++;
                views.Add(MoCoImageInput.FromDecoded(view, $"crop of {rows.Paths[whole]} where {rows.Paths[part]} sits"));
                owners.Add((whole, part));
            }

            if (views.Count == 0)
            {
                continue;
            }

            var features = images.Featurizer.Featurize(views);
            for (var i = 0; i < owners.Count; i++)
            {
                if (CentredFeatures.TryCentre(MemoryMarshal.CreateReadOnlySpan(ref features[i, 0], unit.Length), mean, unit))
                {
                    pairs.Add(new CropPair(owners[i].Whole, owners[i].Part, TensorPrimitives.Dot(unit, centred.Row(owners[i].Part))));
                }
            }
        }

        report = new CropViewsReport(looked, located, unreadable.Count, clock.Elapsed.TotalSeconds);
        return pairs;
    }

    // Rows whose pairs are registered together: their windows are held until the encoder has seen them.
    private const int RowsPerChunk = 32;

    private static DecodedImage? Load(StoreImages images, StoreRows rows, System.Collections.Concurrent.ConcurrentDictionary<int, bool> unreadable, int row)
    {
        if (unreadable.ContainsKey(row))
        {
            return null;
        }

        var image = images.TryLoad(rows.Items[row]);
        if (image is null)
        {
            unreadable.TryAdd(row, true);
        }

        return image;
    }

    // The window of whole where part sits, cut out, when it is found and is not the whole image (that is the pair's
    // stored features again).
    private static IEnumerable<(int Whole, int Part, DecodedImage View)> Window(DecodedImage whole, int wholeRow, DecodedImage part, int partRow)
    {
        if (CropRegistration.Locate(whole, part) is { } box && (long)box.Width * box.Height < (long)whole.Width * whole.Height * 98 / 100)
        {
            yield return (wholeRow, partRow, ImageOps.ResizedCrop(whole, box, box.Width, box.Height));
        }
    }
}
