using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MoCo.Evaluation;
using MoCo.Extraction.Reading;
using MoCo.Imaging;
using MoCo.Imaging.Datasets;
using MoCo.MLNet;

namespace MoCo.Search.Dedup;

/// <summary>One planted duplicate: a store row, the kind of copy made of its image, and the centred cosine between the
/// copy's features and the row's.</summary>
internal readonly record struct PlantedCopy(int Row, DuplicateKind Kind, double Similarity);

/// <summary>
/// Dedup's calibration data: near-duplicates of a seeded sample of the store's own images, made in memory
/// (<see cref="DuplicateMaker"/>) and featurised with the store's own encoder and preprocessing (the path
/// <c>moco neighbors --image</c> takes), each scored against its original's stored features by centred cosine. How close
/// a re-encoded, resized or cropped copy stays is a property of the encoder, so it is measured, not assumed.
/// </summary>
internal static class PlantedCopies
{
    /// <summary>The kinds planted: an exact copy scores 1 by construction and tells nothing about the encoder.</summary>
    public static readonly DuplicateKind[] Kinds = [DuplicateKind.Half, DuplicateKind.Jpeg50, DuplicateKind.Crop90];

    /// <summary>
    /// Plants one copy of each of <see cref="Kinds"/> for up to <paramref name="sample"/> rows of
    /// <paramref name="rows"/> (picked with <paramref name="seed"/>), reading the images through the store's data source.
    /// Rows whose image cannot be read are skipped; <paramref name="why"/> says why when none could be.
    /// </summary>
    /// <param name="store">The store (its source, model and preprocessing).</param>
    /// <param name="rows">The store's rows.</param>
    /// <param name="centred">The rows' <see cref="CentredFeatures"/>.</param>
    /// <param name="mean">The column means the rows were centred with.</param>
    /// <param name="sample">Most originals to plant copies of.</param>
    /// <param name="seed">Picks the originals and the crops' corners.</param>
    /// <param name="model">The store's encoder where it moved (null: the path the store records).</param>
    /// <param name="why">Why nothing was planted, or null.</param>
    public static IReadOnlyList<PlantedCopy> Plant(FeatureStoreReader store, StoreRows rows, FeatureMatrix centred, float[] mean, int sample, int seed, string? model, out string? why)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(sample, 1);
        using var images = StoreImages.Open(store, model, out why);
        if (images is null)
        {
            return [];
        }

        var rng = new Random(seed);
        var picks = Enumerable.Range(0, rows.Count).OrderBy(_ => rng.Next()).Take(sample).ToArray();
        var inputs = new List<MoCoImageInput>();
        var planted = new List<(int Row, DuplicateKind Kind)>();
        foreach (var row in picks)
        {
            using var image = images.TryLoad(rows.Items[row]);
            if (image is null)
            {
                continue;
            }

            foreach (var kind in Kinds)
            {
                inputs.Add(MoCoImageInput.FromEncoded(DuplicateMaker.Make(image, kind, rng), $"{kind} copy of {rows.Paths[row]}"));
                planted.Add((row, kind));
            }
        }

        if (planted.Count == 0)
        {
            why = $"none of the {picks.Length} sampled images of {store.Source} could be read";
            return [];
        }

        var features = images.Featurizer.Featurize(inputs);
        var copies = new List<PlantedCopy>(planted.Count);
        var copy = new float[features.GetLength(1)];
        for (var i = 0; i < planted.Count; i++)
        {
            if (CentredFeatures.TryCentre(MemoryMarshal.CreateReadOnlySpan(ref features[i, 0], copy.Length), mean, copy))
            {
                copies.Add(new PlantedCopy(planted[i].Row, planted[i].Kind, TensorPrimitives.Dot(copy, centred.Row(planted[i].Row))));
            }
        }

        why = copies.Count == 0 ? "no planted copy could be featurised" : null;
        return copies;
    }
}
