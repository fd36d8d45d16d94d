using MoCo.Evaluation;
using MoCo.Search;

namespace MoCo.Search.Tests.Support;

/// <summary>Feature rows shaped like a backbone's after its last ReLU: clusters around random centres, clipped at 0, so
/// every row points roughly the same way (the hard case for cosine thresholds and ANN graphs).</summary>
internal static class SyntheticFeatures
{
    public static FeatureMatrix Clustered(int rows, int dimension, int clusters, int seed, float spread = 0.6f)
    {
        var rng = new Random(seed);
        var centres = new float[clusters * dimension];
        for (var i = 0; i < centres.Length; i++)
        {
            centres[i] = (float)(1 + Gaussian(rng));
        }

        var values = new float[rows * dimension];
        for (var r = 0; r < rows; r++)
        {
            var c = rng.Next(clusters);
            for (var d = 0; d < dimension; d++)
            {
                values[(r * dimension) + d] = MathF.Max(0, centres[(c * dimension) + d] + (spread * (float)Gaussian(rng)));
            }
        }

        return new FeatureMatrix(values, rows, dimension);
    }

    /// <summary>The first <paramref name="count"/> rows of <paramref name="all"/> as a store (items 10·r, paths r.png, labels r mod 3).</summary>
    public static StoreRows Store(FeatureMatrix all, int count, string model = "model-a", string preprocessing = "resize 20, crop 16")
    {
        var features = all.Select(Enumerable.Range(0, count).ToArray());
        return new StoreRows(features, Enumerable.Range(0, count).Select(r => 10 * r).ToArray(), Enumerable.Range(0, count).Select(r => r % 3).ToArray(),
            Enumerable.Range(0, count).Select(r => $"/images/{r}.png").ToArray(), model, preprocessing);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
