namespace MoCo.MLNet.Tests.Support;

internal sealed class PathRow
{
    public string ImagePath { get; set; } = "";

    public string Label { get; set; } = "";
}

internal sealed class FeaturesRow
{
    public float[] Features { get; set; } = [];
}

internal static class FeatureAssert
{
    /// <summary>Every row within <paramref name="tolerance"/> of the reference, relative to the reference's scale.</summary>
    public static void Close(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, double tolerance = 1e-4)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        var scale = Math.Max(1, expected.SelectMany(r => r).Max(v => Math.Abs(v)));
        double worst = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i], Has.Length.EqualTo(expected[i].Length), $"row {i}");
            worst = Math.Max(worst, expected[i].Zip(actual[i], (a, b) => Math.Abs(a - b)).Max());
        }

        Assert.That(worst / scale, Is.LessThanOrEqualTo(tolerance), $"max abs difference {worst} at scale {scale}");
    }
}
